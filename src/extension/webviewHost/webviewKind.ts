import type { RequestMap, WebviewProtocol } from '../../shared/protocol';

/**
 * What tells one kind of instance webview from another; everything else (panel options, HTML
 * shell, CSP, RPC wiring, serializer, one panel per instance) is the same for all of them.
 */
export interface WebviewKind<R extends RequestMap<R>, E> {
  /** VS Code's view type: its serializer restores these panels after a reload. */
  viewType: string;
  protocol: WebviewProtocol<R, E>;
  /** The app's bundle: dist/webview/<bundle>.js and .css (scripts/build.mjs). */
  bundle: string;
  /** A file in media/. */
  icon: string;
  title(instanceId: string): string;
  /** What the panel says until the app has started. */
  loading(instanceId: string): string;
  /** What log lines call it ("page", "agent view"). */
  noun: string;
  /**
   * Images from https: (issue text links screenshots). Off for views that show model or
   * container output: an image there could call out to any address.
   */
  remoteImages?: boolean;
  /** A new panel opens beside the editor without taking focus (live views), or in the active column. */
  beside?: boolean;
  /** Keeps the page alive while hidden (a live view that must not miss streamed events). */
  retainContextWhenHidden?: boolean;
}
