/**
 * The WebAssembly build of the shell parser (src/shell/shparse: mvdan.cc/sh compiled for wasip1), loaded
 * once per thread and called synchronously. The module needs only a handful of WASI calls (clock, random,
 * stderr for a panic message), so they are provided here rather than through node:wasi, which prints an
 * experimental-feature warning on Node 20.
 *
 * When the module is absent (built without Go on the machine), `shparse()` returns null and src/shell
 * falls back to the GopherJS build of the same parser.
 */
import * as fs from 'fs';
import * as path from 'path';
import { randomFillSync } from 'crypto';

// The WebAssembly global, typed here for what is used (the project compiles without the DOM library).
interface WasmMemory {
  buffer: ArrayBuffer;
}
interface WasmModule {
  readonly __module: unique symbol;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => { exports: unknown };
}
const WebAssembly = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface Exports {
  memory: WasmMemory;
  _initialize(): void;
  buffer(n: number): number;
  parse(n: number, mode: number): number;
  result(): number;
  strs(): number;
}

class WasmExit extends Error {}

/** Where the build puts the module: dist/shparse.wasm, next to the compiled sources or from src/ under jest. */
export function wasmPath(): string | null {
  for (const p of [path.join(__dirname, '..', '..', 'shparse.wasm'), path.join(__dirname, '..', '..', 'dist', 'shparse.wasm')]) {
    if (fs.existsSync(p)) return p;
  }
  return null;
}

let compiled: WasmModule | null | undefined;
let instance: Exports | null = null;
let stderr = '';

function instantiate(): Exports | null {
  if (compiled === undefined) {
    const file = process.env.DOCKERIZE_OPTIMIZE_NO_WASM === '1' ? null : wasmPath();
    compiled = file ? new WebAssembly.Module(fs.readFileSync(file)) : null;
  }
  if (!compiled) return null;
  let memory: WasmMemory | null = null;
  const view = (): DataView => new DataView(memory!.buffer);
  const ENOSYS = 52;
  const EBADF = 8;
  const wasi = {
    args_sizes_get: (argc: number, size: number) => (view().setUint32(argc, 0, true), view().setUint32(size, 0, true), 0),
    args_get: () => 0,
    environ_sizes_get: (count: number, size: number) => (view().setUint32(count, 0, true), view().setUint32(size, 0, true), 0),
    environ_get: () => 0,
    clock_time_get: (id: number, _precision: bigint, out: number) => {
      const ns = id === 0 ? BigInt(Date.now()) * 1000000n : process.hrtime.bigint();
      view().setBigUint64(out, ns, true);
      return 0;
    },
    random_get: (buf: number, len: number) => (randomFillSync(new Uint8Array(memory!.buffer, buf, len)), 0),
    fd_write: (fd: number, iovs: number, count: number, written: number) => {
      const v = view();
      let n = 0;
      for (let i = 0; i < count; i++) {
        const ptr = v.getUint32(iovs + i * 8, true);
        const len = v.getUint32(iovs + i * 8 + 4, true);
        if (fd === 2 && stderr.length < 4096) stderr += Buffer.from(memory!.buffer, ptr, len).toString('utf8');
        n += len;
      }
      v.setUint32(written, n, true);
      return 0;
    },
    proc_exit: (code: number) => {
      throw new WasmExit(`shell parser exited (${code}): ${stderr.trim().split('\n')[0] ?? ''}`);
    },
    sched_yield: () => 0,
    poll_oneoff: () => ENOSYS,
    fd_close: () => EBADF,
    fd_read: () => EBADF,
    fd_fdstat_get: () => EBADF,
    fd_fdstat_set_flags: () => EBADF,
    fd_prestat_get: () => EBADF,
    fd_prestat_dir_name: () => EBADF,
  };
  const inst = new WebAssembly.Instance(compiled, { wasi_snapshot_preview1: wasi });
  const exp = inst.exports as unknown as Exports;
  memory = exp.memory;
  exp._initialize();
  return exp;
}

/**
 * What the module hands back for a script: the int32 values it wrote (layout in shparse/README.md) and
 * a reader of the strings they point at.
 */
export interface Reply {
  ints: Int32Array;
  /** The string at [a, b): UTF-8 byte offsets into the script, or into the extra strings after its end. */
  str(a: number, b: number): string;
}

/**
 * Runs the parser on a script: mode 0 gives the reduced command list, mode 1 the parameter names.
 * null when the module is not available. A panic inside the module (never seen; it would be a parser
 * bug) discards the instance and is thrown as an Error.
 */
export function shparse(source: string, mode: 0 | 1): Reply | null {
  const exp = loaded();
  if (!exp) return null;
  const bytes = Buffer.from(source, 'utf8');
  let ints: Int32Array;
  let extra: Buffer | null = null;
  try {
    const at = exp.buffer(bytes.length);
    new Uint8Array(exp.memory.buffer, at, bytes.length).set(bytes);
    const n = exp.parse(bytes.length, mode);
    ints = new Int32Array(exp.memory.buffer, exp.result(), n).slice();
    if (ints[0] > 0) extra = Buffer.from(new Uint8Array(exp.memory.buffer, exp.strs(), ints[0]));
  } catch (e) {
    instance = null;
    stderr = '';
    throw e instanceof Error ? e : new Error(String(e));
  }
  const size = bytes.length;
  // All ASCII (the byte length is the length in UTF-16 units only then): byte offsets are string offsets.
  const ascii = size === source.length;
  let extraText: string | null = null;
  const fromExtra = (a: number, b: number): string => {
    extraText ??= extra!.toString('utf8');
    return extraText.length === extra!.length ? extraText.slice(a - size, b - size) : extra!.toString('utf8', a - size, b - size);
  };
  const str = (a: number, b: number): string => {
    if (a >= size && b > size) return fromExtra(a, b);
    return ascii ? source.slice(a, b) : bytes.toString('utf8', a, b);
  };
  return { ints, str };
}

/** The module's instance, made on first use; null when the module is not available. */
function loaded(): Exports | null {
  return (instance ??= instantiate());
}

/** Whether the WebAssembly parser is in use (false: the GopherJS fallback). */
export function wasmAvailable(): boolean {
  return loaded() !== null;
}
