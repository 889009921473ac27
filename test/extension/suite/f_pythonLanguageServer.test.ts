import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SweGymApi } from '../../../src/extension/api';
import type { SessionView } from '../../../src/shared/instancePage';
import { byTurn, lastMessageText, startFakeOpenAIServer, type FakeRequest } from '../../support/fakeOpenAIServer';
import { containerExists, docker, getApi, setSetting, waitFor } from './helpers';

// Its tests import pytest, which exists only in the image (Debian's python3-pytest), not on this host.
const ID = 'swe-gym-studio__moneta-34';

type Loc = vscode.Location | vscode.LocationLink;
const targetOf = (l: Loc) => ('targetUri' in l ? l.targetUri : l.uri);

function hoverText(hovers: vscode.Hover[] | undefined): string {
  return (hovers ?? []).flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
}

/** The server process in the container, seen with the docker CLI (independent of the code under test). */
function serverProcesses(containerId: string): string[] {
  const r = docker('exec', containerId, 'ps', '-eo', 'pid,args');
  // The exec's own setsid wrapper names the command too: only the node process counts.
  return r.out.split('\n').filter((l) => /^\s*\d+ \S+\/bin\/node \S+langserver\.index\.js/.test(l));
}

function position(doc: vscode.TextDocument, needle: string, offsetInNeedle = 0): vscode.Position {
  const at = doc.getText().indexOf(needle);
  assert.ok(at >= 0, `${needle} not in ${doc.uri.fsPath}`);
  return doc.positionAt(at + offsetInNeedle);
}

describe('Python language server in the container (moneta sample)', function () {
  this.timeout(300_000);
  let api: SweGymApi;
  let ws: string;
  let containerId: string;
  let testMoney: vscode.TextDocument;
  /** The trajectory of the rollout that was offered the python tools (continued from below). */
  let pythonRun: string | undefined;

  before(async () => {
    api = await getApi();
    assert.ok(api.datasets.find(ID), `${ID} is not in the samples`);
  });

  after(async () => {
    await setSetting('languageServer.enabled', undefined);
    if (api?.devContainers.isRunning(ID)) await api.devContainers.stop(ID).catch(() => undefined);
    if (containerId && containerExists(containerId)) docker('rm', '-f', containerId);
  });

  it('starts with the dev container: pyright mounted read-only, run by the mounted Node with the image interpreter', async () => {
    const view = (await vscode.commands.executeCommand('sweGym.launch', ID)) as SessionView | undefined;
    assert.equal(view?.state, 'running', api.notices.at(-1));
    ws = view.workspaceDir as string;
    containerId = view.containerId as string;
    const state = await waitFor('the server to be up', () => ['ready', 'indexing'].includes(api.languageServer.stateOf(ID).state) || (api.languageServer.stateOf(ID).state === 'unavailable' && Promise.reject(new Error(api.languageServer.stateOf(ID).detail))), 120_000);
    assert.ok(state);
    const mounts = JSON.parse(docker('inspect', '--format', '{{json .Mounts}}', containerId).out) as { Source: string; Destination: string; RW: boolean }[];
    const ls = mounts.find((m) => m.Destination === '/opt/swe-gym-studio/language-server');
    assert.ok(ls && !ls.RW, JSON.stringify(mounts));
    assert.equal(serverProcesses(containerId).length, 1, docker('exec', containerId, 'ps', '-eo', 'pid,args').out);
    // The samples' spec names the image's interpreter (Debian's python3; no conda env in them).
    assert.equal(api.languageServer.client(ID)?.interpreter, '/usr/local/bin/python');
  });

  it('hover shows the docstring of pytest, which only the image has', async () => {
    testMoney = await vscode.workspace.openTextDocument(path.join(ws, 'tests', 'test_money.py'));
    await vscode.window.showTextDocument(testMoney);
    const at = position(testMoney, 'pytest.raises(TypeError', 'pytest.'.length + 2);
    const text = await waitFor('a hover on pytest.raises', async () => hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', testMoney.uri, at)).match(/raises/) && hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', testMoney.uri, at)), 60_000);
    assert.match(text, /Assert that a code block\/function call raises/);
  });

  it('go to definition opens the file from the container, read-only, and inside it features keep working', async () => {
    const at = position(testMoney, 'pytest.raises(TypeError', 'pytest.'.length + 2);
    const defs = await vscode.commands.executeCommand<Loc[]>('vscode.executeDefinitionProvider', testMoney.uri, at);
    const target = defs.map(targetOf).find((u) => u.scheme === 'swe-gym-container');
    assert.ok(target, JSON.stringify(defs.map((d) => targetOf(d).toString())));
    assert.match(target.path, new RegExp(`^/${ID}/usr/lib/python3/dist-packages/_?pytest/`));
    const doc = await vscode.workspace.openTextDocument(target);
    const editor = await vscode.window.showTextDocument(doc);
    assert.match(doc.getText(), /def raises\(/);
    assert.equal(docker('exec', containerId, 'cat', target.path.slice(ID.length + 1)).out, doc.getText().trimEnd());
    assert.equal(vscode.workspace.fs.isWritableFileSystem('swe-gym-container'), false);
    await assert.rejects(Promise.resolve(vscode.workspace.fs.writeFile(target, Buffer.from('x'))));
    assert.ok(!fs.existsSync(path.join(ws, 'usr')), 'nothing of the container lands in the workspace');
    // Hover inside the container file is answered too (the server sees it at its own path).
    const inside = position(doc, 'def raises(', 'def '.length + 1);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, inside);
    assert.match(hoverText(hovers), /raises/);
    editor.hide?.();
  });

  it('a type error typed into a file shows as a diagnostic within seconds, and goes when fixed', async () => {
    const file = path.join(ws, 'moneta', 'scratch.py');
    fs.writeFileSync(file, 'from moneta import Money\n\n\ndef cents(m: Money) -> int:\n    return 0\n');
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, new vscode.Position(5, 0), 'total: int = "not a number"\n');
    const typed = Date.now();
    assert.ok(await vscode.workspace.applyEdit(edit));
    const diags = await waitFor('the type error', () => {
      const d = vscode.languages.getDiagnostics(doc.uri).filter((x) => /is not assignable to (declared type )?"int"/.test(x.message));
      return d.length > 0 ? d : undefined;
    }, 30_000);
    const took = Date.now() - typed;
    // "Within a few seconds" on a quiet machine; the bound leaves room for a loaded CI host.
    assert.ok(took < 20_000, `diagnostic after ${took} ms`);
    console.log(`      type error diagnostic ${took} ms after typing`);
    assert.equal(diags[0]?.range.start.line, 5);
    assert.equal(diags[0]?.severity, vscode.DiagnosticSeverity.Error);
    const fix = new vscode.WorkspaceEdit();
    fix.replace(doc.uri, new vscode.Range(5, 0, 5, 'total: int'.length), 'total: str');
    assert.ok(await vscode.workspace.applyEdit(fix));
    // Pyright's hints ("m" is not accessed) stay; errors and warnings must all go.
    await waitFor('the diagnostic to go', () => vscode.languages.getDiagnostics(doc.uri).every((d) => d.severity === vscode.DiagnosticSeverity.Hint), 30_000);
    await doc.save();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(file);
  });

  it('references across files, and rename inside the workspace only', async () => {
    const errors = await vscode.workspace.openTextDocument(path.join(ws, 'moneta', 'errors.py'));
    const at = position(errors, 'class CurrencyMismatchError', 'class '.length + 1);
    const refs = await waitFor('references', async () => {
      const r = await vscode.commands.executeCommand<vscode.Location[]>('vscode.executeReferenceProvider', errors.uri, at);
      return r.length > 2 ? r : undefined;
    }, 60_000);
    const files = [...new Set(refs.map((r) => path.relative(ws, r.uri.fsPath)))].sort();
    assert.ok(refs.every((r) => r.uri.scheme === 'file' && r.uri.fsPath.startsWith(ws + path.sep)), files.join(', '));
    for (const f of ['moneta/errors.py', 'moneta/money.py', 'tests/test_money.py']) assert.ok(files.includes(f), files.join(', '));

    const edit = await vscode.commands.executeCommand<vscode.WorkspaceEdit>('vscode.executeDocumentRenameProvider', errors.uri, at, 'MixedCurrencyError');
    const entries = edit.entries();
    const renamed = entries.map(([u]) => path.relative(ws, u.fsPath)).sort();
    assert.ok(entries.every(([u]) => u.scheme === 'file' && u.fsPath.startsWith(ws + path.sep)), renamed.join(', '));
    for (const f of ['moneta/errors.py', 'moneta/money.py', 'tests/test_money.py']) assert.ok(renamed.includes(f), renamed.join(', '));
    assert.ok(entries.every(([, edits]) => edits.every((e) => e.newText === 'MixedCurrencyError')));
  });

  it('completion, signature help, document and workspace symbols, declaration and type definition', async () => {
    const file = path.join(ws, 'moneta', 'probe.py');
    const lines = ['import pytest', 'from moneta.money import Money', '', 'price = Money.from_minor(150, "USD")', 'print(price.minor_units)', 'pytest.ra', 'Money.from_minor(', ''];
    fs.writeFileSync(file, lines.join('\n'));
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    // Completion of a package only the image has.
    const completion = await waitFor('completions of pytest.ra', async () => {
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(5, 'pytest.ra'.length));
      const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
      return labels.includes('raises') ? labels : undefined;
    }, 60_000);
    assert.ok(completion.includes('raises'), completion.slice(0, 20).join(', '));
    const help = await vscode.commands.executeCommand<vscode.SignatureHelp | undefined>('vscode.executeSignatureHelpProvider', doc.uri, new vscode.Position(6, 'Money.from_minor('.length), '(');
    const signature = help?.signatures[help.activeSignature];
    assert.match(signature?.label ?? '', /^\(units: \w+, currency: \w+\) -> Money$/, JSON.stringify(help));
    assert.equal(signature?.parameters.length, 2);

    const decl = await vscode.commands.executeCommand<Loc[]>('vscode.executeDeclarationProvider', doc.uri, new vscode.Position(3, 'price = Mo'.length));
    assert.deepEqual(decl.map((d) => path.relative(ws, targetOf(d).fsPath)), ['moneta/money.py']);
    const typeDef = await vscode.commands.executeCommand<Loc[]>('vscode.executeTypeDefinitionProvider', doc.uri, new vscode.Position(4, 'print(pr'.length));
    const typeTarget = typeDef[0];
    assert.ok(typeTarget, 'a type definition of price');
    assert.equal(path.relative(ws, targetOf(typeTarget).fsPath), 'moneta/money.py');
    const moneyText = fs.readFileSync(path.join(ws, 'moneta', 'money.py'), 'utf8').split('\n');
    const range = 'targetRange' in typeTarget ? typeTarget.targetRange : typeTarget.range;
    assert.match(moneyText[range.start.line] ?? '', /class Money/);

    const money = await vscode.workspace.openTextDocument(path.join(ws, 'moneta', 'money.py'));
    const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', money.uri);
    const cls = symbols.find((sym) => sym.name === 'Money');
    assert.equal(cls?.kind, vscode.SymbolKind.Class, symbols.map((sym) => sym.name).join(', '));
    for (const member of ['__init__', 'from_minor', 'minor_units']) assert.ok(cls.children.some((c) => c.name === member), cls.children.map((c) => c.name).join(', '));
    const found = await waitFor('workspace symbols', async () => {
      const r = await vscode.commands.executeCommand<vscode.SymbolInformation[]>('vscode.executeWorkspaceSymbolProvider', 'CurrencyMismatch');
      return r.length ? r : undefined;
    }, 60_000);
    const mismatch = found.find((sym) => sym.name === 'CurrencyMismatchError');
    assert.ok(mismatch, found.map((sym) => `${sym.name} ${sym.location.uri.toString()}`).join(', '));
    assert.equal(mismatch.location.uri.scheme, 'file');
    assert.equal(path.relative(ws, mismatch.location.uri.fsPath), 'moneta/errors.py');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(file);
  });

  it('the agent offered the python tools (sweGym.agent.pythonTools) gets pyright answers from the dev container', async () => {
    // The model is the one stand-in: a scripted OpenAI-protocol server on 127.0.0.1.
    const key = `sk-python-tools-${Date.now()}`;
    const server = await startFakeOpenAIServer(
      byTurn([
        { toolCalls: [{ name: 'python_definition', arguments: { path: '/testbed/tests/test_money.py', line: 18, symbol: 'pytest.raises' } }] },
        { toolCalls: [{ name: 'execute_bash', arguments: { command: `printf 'cents: int = "ten"\\n' > /testbed/moneta/agent_probe.py` } }] },
        { toolCalls: [{ name: 'python_diagnostics', arguments: { path: '/testbed/moneta/agent_probe.py' } }] },
        { toolCalls: [{ name: 'finish', arguments: {} }] },
      ]),
      { apiKey: key },
    );
    try {
      await setSetting('agent.baseUrl', server.baseURL);
      await setSetting('agent.model', 'fake-python-coder');
      await setSetting('agent.pythonTools', true);
      assert.equal(await vscode.commands.executeCommand('sweGym.agent.setApiKey', key), true);
      const started = (await vscode.commands.executeCommand('sweGym.agent.start', ID, undefined, { reward: false, followEdits: false })) as { rolloutId: string } | undefined;
      assert.ok(started?.rolloutId, api.notices.at(-1));
      const result = await api.agents.whenDone(started.rolloutId);
      assert.equal(result?.exitReason, 'finished', result?.message);
      pythonRun = result?.trajectoryPath;
      const offered = ((server.requests[0]?.body.tools ?? []) as { function: { name: string } }[]).map((t) => t.function.name);
      assert.deepEqual(offered, ['execute_bash', 'str_replace_editor', 'python_definition', 'python_references', 'python_diagnostics', 'finish']);
      const seen = (turn: number) => lastMessageText(server.requests.find((r) => r.body.messages?.filter((m) => m.role === 'assistant').length === turn) as FakeRequest);
      // pytest exists only in the image: pyright in the container found it with the image's interpreter.
      assert.match(seen(1), /^\/usr\/lib\/python3\/dist-packages\/_pytest\/python_api\.py:\d+:5: def raises\(/m);
      assert.match(seen(3), /agent_probe\.py:1:\d+: error: Type "Literal\['ten'\]" is not assignable to declared type "int"/);
      assert.equal(api.agents.session(started.rolloutId)?.view.template, 'default+python');
      // The agent's own server went with its rollout; the editor's stays.
      await waitFor('only the editor\'s server left', () => serverProcesses(containerId).length === 1, 30_000);
    } finally {
      await server.close();
      for (const k of ['agent.baseUrl', 'agent.model', 'agent.pythonTools']) await setSetting(k, undefined);
      await vscode.commands.executeCommand('sweGym.agent.clearApiKey');
      fs.rmSync(path.join(ws, 'moneta', 'agent_probe.py'), { force: true });
    }
  });

  it('Continue from Step by the model on a run that offered the python tools carries them (setting off): the replayed and the new python_* calls get pyright answers in its own container; no container left', async () => {
    assert.ok(pythonRun, 'the run above left its trajectory');
    const own = async () => (await api.runtime().listOurContainers({ sessionId: api.sessionId, instanceId: ID })).length;
    const before = await own();
    const server = await startFakeOpenAIServer(
      byTurn([
        { toolCalls: [{ name: 'finish', arguments: {} }] },
        { toolCalls: [{ name: 'finish', arguments: {} }] },
        // After the 2 replayed steps (a python_definition, then the probe file written): the model's own.
        { toolCalls: [{ name: 'python_diagnostics', arguments: { path: '/testbed/moneta/agent_probe.py' } }] },
        { toolCalls: [{ name: 'finish', arguments: {} }] },
      ]),
    );
    try {
      await setSetting('agent.baseUrl', server.baseURL);
      await setSetting('agent.model', 'fake-python-continuer');
      await setSetting('agent.reward', false);
      const started = (await vscode.commands.executeCommand('sweGym.continueFromStep', pythonRun, { step: 2, by: 'model' })) as { rolloutId: string } | undefined;
      assert.ok(started?.rolloutId, api.notices.at(-1));
      assert.equal(api.agents.session(started.rolloutId)?.init.where, 'own');
      const result = await api.agents.whenDone(started.rolloutId);
      assert.equal(result?.exitReason, 'finished', result?.message);
      assert.equal(result?.steps, 4);
      const first = server.requests[0];
      assert.ok(first, 'the model was asked');
      const offered = ((first.body.tools ?? []) as { function: { name: string } }[]).map((t) => t.function.name);
      assert.deepEqual(offered, ['execute_bash', 'str_replace_editor', 'python_definition', 'python_references', 'python_diagnostics', 'finish'], 'the run\'s tools go on');
      // The replayed python_definition was answered by pyright in the continuation's container.
      const replayedDefinition = (first.body.messages ?? []).filter((m) => m.role === 'tool').map((m) => String(m.content))[0] ?? '';
      assert.match(replayedDefinition, /_pytest\/python_api\.py:\d+:5: def raises\(/);
      const diagnostics = lastMessageText(server.requests.find((r) => r.body.messages?.filter((m) => m.role === 'assistant').length === 3) as FakeRequest);
      assert.match(diagnostics, /agent_probe\.py:1:\d+: error: Type "Literal\['ten'\]" is not assignable to declared type "int"/);
      await waitFor('the continuation\'s container to be gone', async () => (await own()) <= before, 60_000);
    } finally {
      await server.close();
      for (const k of ['agent.baseUrl', 'agent.model', 'agent.reward']) await setSetting(k, undefined);
    }
  });

  it('a crashed server is restarted (bounded), and answers again', async () => {
    const starts = api.languageServer.client(ID)?.starts ?? 0;
    assert.equal(docker('exec', containerId, 'pkill', '-KILL', '-f', 'langserver.index.js').code, 0);
    await waitFor('a restart', () => (api.languageServer.client(ID)?.starts ?? 0) > starts && api.languageServer.stateOf(ID).state === 'ready', 90_000);
    await waitFor('one server process again', () => serverProcesses(containerId).length === 1, 30_000);
    const at = position(testMoney, 'pytest.raises(TypeError', 'pytest.'.length + 2);
    await waitFor('a hover after the restart', async () => /raises/.test(hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', testMoney.uri, at))), 60_000);
  });

  it('the setting turns it off (process gone, container kept) and on again', async () => {
    await setSetting('languageServer.enabled', false);
    await waitFor('the server to stop', () => api.languageServer.stateOf(ID).state === 'off', 30_000);
    await waitFor('no server process', () => serverProcesses(containerId).length === 0, 30_000);
    assert.equal(docker('inspect', '--format', '{{.State.Status}}', containerId).out, 'running');
    await setSetting('languageServer.enabled', undefined);
    await waitFor('the server again', () => ['ready', 'indexing'].includes(api.languageServer.stateOf(ID).state), 90_000);
  });

  it('stops with the container: no server, no container left', async () => {
    assert.equal(serverProcesses(containerId).length, 1);
    await vscode.commands.executeCommand('sweGym.stop', ID);
    await waitFor('the server to stop', () => api.languageServer.stateOf(ID).state === 'off' && !api.languageServer.client(ID), 30_000);
    assert.equal(containerExists(containerId), false);
    // A container file can no longer be read once its container is gone.
    await assert.rejects(Promise.resolve(vscode.workspace.fs.readFile(vscode.Uri.from({ scheme: 'swe-gym-container', path: `/${ID}/etc/hostname` }))));
  });
});
