import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PathMapper } from '../../../src/core/languageServer/pathMapper';

test('host workspace files map to /testbed and back; nothing else maps', () => {
  const m = new PathMapper('/home/u/ws/swe-gym-studio__moneta-34/', '/testbed');
  assert.equal(m.toContainer('/home/u/ws/swe-gym-studio__moneta-34'), '/testbed');
  assert.equal(m.toContainer('/home/u/ws/swe-gym-studio__moneta-34/moneta/money.py'), '/testbed/moneta/money.py');
  assert.equal(m.toContainer('/home/u/ws/swe-gym-studio__moneta-34-old/x.py'), undefined, 'a sibling with the same prefix is not inside');
  assert.equal(m.toContainer('/etc/passwd'), undefined);
  assert.equal(m.toHost('/testbed/moneta/money.py'), '/home/u/ws/swe-gym-studio__moneta-34/moneta/money.py');
  assert.equal(m.toHost('/testbed'), '/home/u/ws/swe-gym-studio__moneta-34');
  assert.equal(m.toHost('/testbed2/x.py'), undefined);
  assert.equal(m.toHost('/usr/lib/python3/dist-packages/_pytest/python_api.py'), undefined);
});

test('a server path cannot climb out of /testbed onto the host', () => {
  const m = new PathMapper('/home/u/ws/a', '/testbed');
  assert.equal(m.toHost('/testbed/../home/u/.ssh/id_rsa'), undefined);
  assert.equal(m.toHost('/testbed/x/../../etc/passwd'), undefined);
  assert.equal(m.toHost('/testbed/x/../y.py'), '/home/u/ws/a/y.py');
  assert.equal(m.toHost('testbed/y.py'), undefined, 'relative paths are refused');
});
