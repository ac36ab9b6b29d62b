/**
 * The JSON Schema in a real editor: yaml-language-server (the server VS Code's YAML extension
 * runs; pinned in devDependencies) started over stdio, spoken to in LSP JSON-RPC with the
 * Content-Length framing written out below (vscode-jsonrpc is only a transitive dependency).
 *
 * The server gets no network: the SchemaStore catalogue is disabled through its settings, and
 * a preload hook refuses (and records) every outgoing socket, so that an attempt is seen as a
 * recorded connection, never as traffic. The last test checks the hook with a schema URL on
 * the loopback address.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { scenarioJsonSchema } from '../../src/scenario/json-schema.js';
import { starterScenario } from '../../src/scenario/starter.js';

const ROOT = resolve('.');
const SERVER = join(ROOT, 'node_modules/yaml-language-server/bin/yaml-language-server');
const SCHEMA_FILE = join(ROOT, 'docs/scenario.schema.json');
const SCHEMA_URI = pathToFileURL(SCHEMA_FILE).href;
const REPLY_MS = 5_000;

/** The settings a VS Code user would have: validation and completion on, no SchemaStore (network). */
const YAML_SETTINGS = {
  validate: true,
  completion: true,
  hover: true,
  schemaStore: { enable: false },
  kubernetesCRDStore: { enable: false },
};

/** Loaded with --require into the server: every TCP/TLS connect is recorded on stderr and refused. */
const NO_NETWORK_HOOK = `
const net = require('node:net');
net.Socket.prototype.connect = function (...args) {
  const o = typeof args[0] === 'object' && args[0] !== null ? (Array.isArray(args[0]) ? args[0][0] : args[0]) : { port: args[0], host: args[1] };
  process.stderr.write('NETWORK-ATTEMPT ' + (o.host ?? o.path ?? 'localhost') + ':' + (o.port ?? '') + '\\n');
  process.nextTick(() => this.destroy(Object.assign(new Error('network disabled in this test'), { code: 'ECONNREFUSED' })));
  return this;
};
`;

interface Position {
  line: number;
  character: number;
}
interface Diagnostic {
  range: { start: Position; end: Position };
  message: string;
  source?: string;
}
interface CompletionItem {
  label: string;
  documentation?: string | { value: string };
}
interface Hover {
  contents: { kind: string; value: string };
}
type Message = {
  id?: number | string;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { message: string };
};

/** A minimal LSP client: framing, requests with timeouts, server requests answered, diagnostics kept. */
class LspClient {
  readonly proc: ChildProcessWithoutNullStreams;
  readonly stderr: string[] = [];
  readonly logs: string[] = [];
  readonly configurationPulls: string[] = [];
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: unknown) => void; reject: (e: Error) => void }>();
  private readonly diagnostics = new Map<string, Diagnostic[][]>();
  private readonly diagnosticWaiters = new Map<string, Array<(d: Diagnostic[]) => void>>();

  constructor(hookFile: string) {
    this.proc = spawn(process.execPath, ['--require', hookFile, SERVER, '--stdio'], { cwd: ROOT });
    this.proc.stdout.on('data', (chunk: Buffer) => this.read(chunk));
    this.proc.stderr.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
  }

  request<T>(method: string, params: unknown): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no reply within ${REPLY_MS} ms`));
      }, REPLY_MS);
      this.pending.set(id, {
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.send({ id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    this.send({ method, params });
  }

  /** Opens a document and resolves with the first diagnostics the server publishes for it. */
  open(file: string, text: string): Promise<Diagnostic[]> {
    const uri = pathToFileURL(file).href;
    const published = new Promise<Diagnostic[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics for ${file} within ${REPLY_MS} ms`)), REPLY_MS);
      const waiters = this.diagnosticWaiters.get(uri) ?? [];
      waiters.push((d) => {
        clearTimeout(timer);
        resolve(d);
      });
      this.diagnosticWaiters.set(uri, waiters);
    });
    this.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
    return published;
  }

  allDiagnostics(): Diagnostic[] {
    return [...this.diagnostics.values()].flat(2);
  }

  private send(message: Message): void {
    const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...message }), 'utf8');
    this.proc.stdin.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]));
  }

  private read(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const header = this.buffer.subarray(0, end).toString('ascii');
      const length = /Content-Length: *(\d+)/i.exec(header);
      if (!length) throw new Error(`LSP header without Content-Length: ${header}`);
      const start = end + 4;
      const stop = start + Number(length[1]);
      if (this.buffer.length < stop) return;
      const message = JSON.parse(this.buffer.subarray(start, stop).toString('utf8')) as Message;
      this.buffer = this.buffer.subarray(stop);
      this.dispatch(message);
    }
  }

  private dispatch(m: Message): void {
    if (m.method === undefined) {
      const p = this.pending.get(Number(m.id));
      this.pending.delete(Number(m.id));
      if (m.error) p?.reject(new Error(m.error.message));
      else p?.resolve(m.result);
      return;
    }
    if (m.id !== undefined) {
      // Requests from the server. It pulls its settings (sections yaml, http, [yaml], editor);
      // anything else (registerCapability, progress) gets an empty success.
      if (m.method === 'workspace/configuration') {
        const items = (m.params as { items: Array<{ section?: string }> }).items;
        this.configurationPulls.push(...items.map((i) => i.section ?? ''));
        this.send({ id: m.id, result: items.map((i) => (i.section === 'yaml' ? YAML_SETTINGS : null)) });
      } else {
        this.send({ id: m.id, result: null });
      }
      return;
    }
    if (m.method === 'textDocument/publishDiagnostics') {
      const { uri, diagnostics } = m.params as { uri: string; diagnostics: Diagnostic[] };
      this.diagnostics.set(uri, [...(this.diagnostics.get(uri) ?? []), diagnostics]);
      const waiter = this.diagnosticWaiters.get(uri)?.shift();
      waiter?.(diagnostics);
    } else if (m.method === 'window/logMessage' || m.method === 'window/showMessage') {
      this.logs.push((m.params as { message: string }).message);
    }
  }

  async shutdown(): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (this.proc.exitCode !== null || this.proc.signalCode !== null) resolve();
      else this.proc.once('exit', () => resolve());
    });
    try {
      await this.request('shutdown', null);
      this.notify('exit', null);
    } catch {
      // No reply: killed below.
    }
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 2_000);
    await exited;
    clearTimeout(timer);
  }
}

const bundled = readdirSync('scenarios')
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => join(ROOT, 'scenarios', f));

/** Where `find` occurs in `text` (0-based line and character, as LSP counts them). */
function positionOf(text: string, find: string, offset = 0): Position {
  const at = text.indexOf(find);
  if (at < 0) throw new Error(`"${find}" not in the document`);
  const before = text.slice(0, at + offset).split('\n');
  return { line: before.length - 1, character: (before.at(-1) ?? '').length };
}

/** A string of the published schema, by its path (the test reads descriptions from the source). */
function schemaAt(path: string[]): string {
  let node: unknown = scenarioJsonSchema();
  for (const key of path) node = (node as Record<string, unknown> | undefined)?.[key];
  if (typeof node !== 'string') throw new Error(`no string at ${path.join('/')} of the schema`);
  return node;
}

/** Hover text without the markdown escapes the server adds (`memory.\*`). */
const plain = (s: string) => s.replace(/\\/g, '');
const modeline = `# yaml-language-server: $schema=${SCHEMA_URI}\n`;

let work: string;
let client: LspClient;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'faultline-editor-'));
  const hook = join(work, 'no-network.cjs');
  writeFileSync(hook, NO_NETWORK_HOOK);
  client = new LspClient(hook);
  const rootUri = pathToFileURL(ROOT).href;
  await client.request('initialize', {
    processId: process.pid,
    rootUri,
    workspaceFolders: [{ uri: rootUri, name: 'faultline' }],
    capabilities: {
      // With `configuration` the server pulls its settings after `initialized` and on every
      // didChangeConfiguration (it ignores the settings pushed in the notification itself).
      workspace: { configuration: true, workspaceFolders: true },
      textDocument: {
        completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'] } },
        hover: { contentFormat: ['markdown', 'plaintext'] },
        publishDiagnostics: {},
      },
    },
  });
  client.notify('initialized', {});
  client.notify('workspace/didChangeConfiguration', { settings: { yaml: YAML_SETTINGS } });
});

afterAll(async () => {
  await client?.shutdown();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('yaml-language-server with docs/scenario.schema.json', () => {
  it('runs on this Node and takes our settings', async () => {
    // The first document's diagnostics come after the settings pull; the pull must have asked
    // for the `yaml` section, or schemaStore.enable: false never reached the server.
    await client.open(join(work, 'empty.yaml'), 'a: 1\n');
    expect(client.configurationPulls).toContain('yaml');
    expect(client.proc.exitCode).toBeNull();
  });

  it('finds no problem in any bundled scenario, with the schema found through the modeline', async () => {
    expect(bundled.length).toBeGreaterThanOrEqual(5);
    const hostDescription = schemaAt(['properties', 'host', 'description']);
    for (const file of bundled) {
      const text = readFileSync(file, 'utf8');
      expect(text.startsWith('# yaml-language-server: $schema=../docs/scenario.schema.json\n')).toBe(true);
      const diagnostics = await client.open(file, text);
      expect({ file, diagnostics }).toEqual({ file, diagnostics: [] });
      // No diagnostics would also be what a file without a schema gets: the hover proves the
      // relative modeline resolved to docs/scenario.schema.json.
      const hover = await client.request<Hover | null>('textDocument/hover', {
        textDocument: { uri: pathToFileURL(file).href },
        position: positionOf(text, '\nhost:', 1),
      });
      expect(hover?.contents.value).toContain(hostDescription);
      expect(hover?.contents.value).toContain(SCHEMA_URI);
    }
  });

  it('finds no problem in the starter that `faultline init` writes, with its relative modeline', async () => {
    const file = join(work, 'starter.yaml');
    const text = starterScenario('starter', relative(dirname(file), SCHEMA_FILE));
    writeFileSync(file, text);
    expect(await client.open(file, text)).toEqual([]);
    const hover = await client.request<Hover | null>('textDocument/hover', {
      textDocument: { uri: pathToFileURL(file).href },
      position: positionOf(text, '\nhost:', 1),
    });
    expect(hover?.contents.value).toContain(SCHEMA_URI);
  });

  it('reports a misspelt sysctl, a bare number for a size, a value out of range and an unknown key at their lines', async () => {
    const text = [
      modeline.trimEnd(),
      'name: broken',
      'duration: 5m',
      'colour: blue',
      'host:',
      '  ram: 64',
      '  cpus: 0',
      '  sysctl:',
      '    vm.swapiness: 10',
      'processes:',
      '  web:',
      '    memory: { anon: 1Gi }',
      '',
    ].join('\n');
    const diagnostics = await client.open(join(work, 'broken.yaml'), text);
    const found = diagnostics
      .map((d) => ({ line: d.range.start.line, character: d.range.start.character, message: d.message }))
      .sort((a, b) => a.line - b.line);
    expect(found).toEqual([
      { line: 3, character: 0, message: 'Property colour is not allowed.' },
      { line: 5, character: 7, message: 'Incorrect type. Expected "string".' },
      { line: 6, character: 8, message: 'Value is below the minimum of 1.' },
      { line: 8, character: 4, message: 'Property vm.swapiness is not allowed.' },
    ]);
    for (const d of diagnostics) expect(d.source).toBe('yaml-schema: faultline scenario');
  });

  it('completes host fields, modelled sysctls only, enum values and cgroup files', async () => {
    const file = join(work, 'complete.yaml');
    const text = `${modeline}name: c\nduration: 1m\nhost:\n  \n  thp: \ncgroups:\n  batch:\n    memory.max: 36Gi\nprocesses:\n  web: {}\n`;
    await client.open(file, text);
    const complete = async (at: Position) =>
      (
        await client.request<{ items: CompletionItem[] } | null>('textDocument/completion', {
          textDocument: { uri: pathToFileURL(file).href },
          position: at,
        })
      )?.items ?? [];
    const hostItems = await complete(positionOf(text, 'host:\n  ', 8));
    expect(hostItems.map((i) => i.label)).toEqual(expect.arrayContaining(['ram', 'cpus', 'swap', 'sysctl']));
    const ram = hostItems.find((i) => i.label === 'ram');
    const docText = typeof ram?.documentation === 'string' ? ram.documentation : ram?.documentation?.value;
    expect(docText).toContain('Physical memory of the host.');

    const sysctlFile = join(work, 'complete-sysctl.yaml');
    const sysctlText = `${modeline}name: c\nduration: 1m\nhost:\n  ram: 8Gi\n  cpus: 2\n  sysctl:\n    \nprocesses:\n  web: {}\n`;
    await client.open(sysctlFile, sysctlText);
    const sysctlItems = (
      await client.request<{ items: CompletionItem[] } | null>('textDocument/completion', {
        textDocument: { uri: pathToFileURL(sysctlFile).href },
        position: positionOf(sysctlText, 'sysctl:\n    ', 12),
      })
    )?.items.map((i) => i.label);
    expect(sysctlItems).toContain('vm.swappiness');
    // Only what faultline models: a real but unmodelled sysctl is not offered.
    expect(sysctlItems).not.toContain('vm.dirty_ratio');

    const thpItems = await complete(positionOf(text, 'thp: ', 5));
    expect(thpItems.map((i) => i.label).sort()).toEqual(['always', 'madvise', 'never']);

    const cgroupItems = await complete(positionOf(text, '    memory.max', 4));
    expect(cgroupItems.map((i) => i.label)).toEqual(expect.arrayContaining(['memory.high', 'systemd', 'kubernetes']));
  });

  it('shows the schema descriptions on hover: a cgroup file and a cgroup entry', async () => {
    const file = join(work, 'hover.yaml');
    const text = `${modeline}name: h\nduration: 1m\nhost: { ram: 8Gi, cpus: 2 }\ncgroups:\n  batch:\n    memory.max: 36Gi\nprocesses:\n  web: {}\n`;
    await client.open(file, text);
    const cgroup = ['properties', 'cgroups', 'additionalProperties'];
    const hover = async (at: Position) =>
      plain(
        (
          await client.request<Hover | null>('textDocument/hover', {
            textDocument: { uri: pathToFileURL(file).href },
            position: at,
          })
        )?.contents.value ?? '',
      );
    const memoryMax = schemaAt([...cgroup, 'anyOf', '0', 'properties', 'memory.max', 'description']);
    expect(memoryMax).toMatch(/hard limit/);
    expect(await hover(positionOf(text, 'memory.max', 2))).toContain(memoryMax);
    // A map key (`batch:`) has no property schema of its own: the description of the map's values.
    expect(await hover(positionOf(text, 'batch:', 1))).toContain(plain(schemaAt([...cgroup, 'description'])));
  });

  it('made no network request', () => {
    expect(client.stderr.join('').match(/NETWORK-ATTEMPT .*/g)).toBeNull();
    const failures = [...client.allDiagnostics().map((d) => d.message), ...client.logs].filter((m) =>
      /unable to load|fetch|ENOTFOUND|ECONNREFUSED|schemastore/i.test(m),
    );
    expect(failures).toEqual([]);
  });

  it('(control) would have seen a network request: a schema URL on the loopback address', async () => {
    const diagnostics = await client.open(
      join(work, 'remote.yaml'),
      '# yaml-language-server: $schema=http://127.0.0.1:9/never.json\nname: r\n',
    );
    // The attempt is logged on the server's stderr, a different pipe from the diagnostics: it may land later.
    await vi.waitFor(
      () => expect(client.stderr.join('').match(/NETWORK-ATTEMPT .*/g)).toEqual(['NETWORK-ATTEMPT 127.0.0.1:9']),
      { timeout: 5000 },
    );
    expect(diagnostics.map((d) => d.message).join('\n')).toMatch(/unable to load|ECONNREFUSED/i);
  });
});
