import { type InstanceSpec, makeInstanceSpec } from '../../core/spec/instanceSpec';
import type { Settings } from '../config';
import type { InstanceRef } from './datasetStore';

/**
 * The instance's spec under the current settings, made when an action starts (launch, evaluation,
 * rollout) so a changed setting applies to the next one. Throws InstanceSpecError for a row that
 * cannot be run, before anything is pulled or started.
 */
export function specFor(ref: InstanceRef, settings: Pick<Settings, 'imageTemplate' | 'allowPull' | 'skipInstall'>): InstanceSpec {
  return makeInstanceSpec(ref.instance, ref.entry.context, { imageTemplate: settings.imageTemplate, allowPull: settings.allowPull, skipInstall: settings.skipInstall });
}
