/**
 * A restricted pickle reader: a stack machine over the opcodes of protocols 2–5 that state
 * dicts use. It never imports or calls anything: every GLOBAL goes through `findGlobal`, which
 * builds plain data or refuses, and persistent ids go to `persistentLoad`. The loop is
 * iterative and every opcode consumes input, so hostile bytes cost time and memory linear in
 * their length and cannot overflow the JS stack. Values nest at most {@link MAX_DEPTH} deep: a
 * deeper one is replaced by an inert {@link TOO_DEEP} marker that every type check refuses (no
 * checkpoint nests so deep), and a container may not change once it sits inside another (that is
 * how recursive structures are pickled; no checkpoint holds one), so the depth recorded when a
 * container is filled stays true and code that walks the values cannot recurse without end.
 *
 * Values: None → null, bool, int → number (bigint past 2^53), float → number, str → string,
 * bytes → Uint8Array, list/tuple/set → array, dict → Map.
 */
import { FileFormatError } from '../../errors.js';
import { cut } from './messages.js';

/** Deepest nesting of lists, tuples, dicts and objects: far beyond a training checkpoint's (about 6). */
export const MAX_DEPTH = 100;

/** What a whitelisted global turns into: a function of its arguments (REDUCE, NEWOBJ). */
export interface PickleGlobal {
  /** `module.name`, for messages. */
  readonly name: string;
  call(args: unknown[]): unknown;
}

/** An object of a harmless class we keep as data (e.g. argparse.Namespace): BUILD sets its state. */
export class PickleObject {
  constructor(
    readonly className: string,
    public args: unknown[] = [],
    public state: unknown = undefined,
  ) {}
}

export interface UnpickleHooks {
  /** Resolves GLOBAL / STACK_GLOBAL; throws for anything not whitelisted. */
  findGlobal(module: string, name: string): PickleGlobal;
  /** Resolves BINPERSID ids (PyTorch's storages). */
  persistentLoad?(pid: unknown): unknown;
}

export interface UnpickleResult {
  readonly value: unknown;
  /** Offset just past the STOP opcode (legacy .pth files hold several pickles back to back). */
  readonly end: number;
}

/** Opcodes by byte. Names are pickletools'. */
const OP = {
  MARK: 0x28, STOP: 0x2e, POP: 0x30, POP_MARK: 0x31, DUP: 0x32, BINFLOAT: 0x47, BININT: 0x4a, BININT1: 0x4b,
  BININT2: 0x4d, NONE: 0x4e, BINPERSID: 0x51, REDUCE: 0x52, BINSTRING: 0x54, SHORT_BINSTRING: 0x55,
  BINUNICODE: 0x58, EMPTY_LIST: 0x5d, APPEND: 0x61, BUILD: 0x62, GLOBAL: 0x63, DICT: 0x64, APPENDS: 0x65,
  BINGET: 0x68, LONG_BINGET: 0x6a, LIST: 0x6c, BINPUT: 0x71, LONG_BINPUT: 0x72, SETITEM: 0x73, TUPLE: 0x74,
  SETITEMS: 0x75, EMPTY_DICT: 0x7d, EMPTY_TUPLE: 0x29, BINBYTES: 0x42, SHORT_BINBYTES: 0x43,
  PROTO: 0x80, NEWOBJ: 0x81, TUPLE1: 0x85, TUPLE2: 0x86, TUPLE3: 0x87, NEWTRUE: 0x88, NEWFALSE: 0x89,
  LONG1: 0x8a, SHORT_BINUNICODE: 0x8c, BINUNICODE8: 0x8d, BINBYTES8: 0x8e, EMPTY_SET: 0x8f, ADDITEMS: 0x90,
  FROZENSET: 0x91, NEWOBJ_EX: 0x92, STACK_GLOBAL: 0x93, MEMOIZE: 0x94, FRAME: 0x95, BYTEARRAY8: 0x96,
  READONLY_BUFFER: 0x98,
} as const;

const utf8 = new TextDecoder('utf-8');
const latin1 = new TextDecoder('latin1');

/**
 * Runs the pickle that starts at `start` in `bytes` up to its STOP opcode.
 *
 * @example
 * const { value } = unpickle(bytes, { findGlobal: (m, n) => { throw new Error(`${m}.${n}`); } }, 'data.pkl');
 */
export function unpickle(bytes: Uint8Array, hooks: UnpickleHooks, source: string, start = 0): UnpickleResult {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (why: string): never => { throw new FileFormatError(`${source} is not a readable pickle: ${why}`); };
  let pos = start;
  let stack: unknown[] = [];
  const marks: unknown[][] = [];
  const memo = new Map<number, unknown>();
  // Nesting depth of each container (1: holds no container), and those already inside another.
  const depths = new WeakMap<object, number>();
  const nested = new WeakSet<object>();
  let at = start;

  const need = (n: number, what: string) => {
    if (!(n >= 0 && pos + n <= bytes.byteLength)) fail(`${what} at byte ${pos} needs ${n} bytes but the data ends at ${bytes.byteLength}`);
  };
  const take = (n: number, what: string): Uint8Array => { need(n, what); const out = bytes.subarray(pos, pos + n); pos += n; return out; };
  const u8 = () => { need(1, 'argument'); return bytes[pos++]; };
  const u32 = () => { need(4, 'argument'); const v = view.getUint32(pos, true); pos += 4; return v; };
  const u64 = () => { need(8, 'argument'); const v = view.getBigUint64(pos, true); pos += 8; return v > BigInt(bytes.byteLength) ? bytes.byteLength + 1 : Number(v); };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail(`a GLOBAL name at byte ${pos} has no terminating newline`);
    const text = utf8.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return text;
  };
  const pop = (): unknown => { if (stack.length === 0) fail(`the stack is empty at byte ${pos - 1}`); return stack.pop(); };
  const top = (): unknown => { if (stack.length === 0) fail(`the stack is empty at byte ${pos - 1}`); return stack[stack.length - 1]; };
  const popMark = (): unknown[] => {
    const items = stack;
    const previous = marks.pop();
    if (!previous) fail(`no MARK before byte ${pos - 1}`);
    stack = previous as unknown[];
    return items;
  };
  const callable = (value: unknown, op: string): PickleGlobal => {
    if (typeof value === 'object' && value !== null && 'call' in value && 'name' in value) return value as PickleGlobal;
    return fail(`${op} at byte ${pos - 1} applies a ${describe(value)}, not a class or function`);
  };
  const asArgs = (value: unknown, op: string): unknown[] => (Array.isArray(value) ? value : fail(`${op} at byte ${pos - 1} expects an argument tuple, got a ${describe(value)}`));
  // Records that `items` go inside `container` and returns them as they should be stored: a
  // change to a container already nested is refused, an item that would nest too deep becomes TOO_DEEP.
  const adopt = (container: object, items: readonly unknown[], op: string): unknown[] => {
    if (nested.has(container)) fail(`${op} at byte ${at} changes a ${describe(container)} that is already inside another value (a recursive structure, which no checkpoint holds)`);
    let depth = depths.get(container) ?? 1;
    const kept = new Array<unknown>(items.length);
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      const itemDepth = isContainer(item) ? (depths.get(item) ?? 1) : 0;
      if (itemDepth >= MAX_DEPTH) { kept[i] = TOO_DEEP; continue; }
      if (itemDepth > 0) nested.add(item as object);
      depth = Math.max(depth, itemDepth + 1);
      kept[i] = item;
    }
    depths.set(container, depth);
    return kept;
  };
  const tuple = (items: readonly unknown[]): unknown[] => {
    const out: unknown[] = [];
    const kept = adopt(out, items, 'TUPLE');
    for (const item of kept) out.push(item);
    return out;
  };
  const setItems = (target: unknown, items: unknown[]) => {
    if (!(target instanceof Map)) fail(`SETITEM(S) at byte ${at} targets a ${describe(target)}, not a dict`);
    if (items.length % 2 !== 0) fail(`SETITEMS at byte ${at} has an odd number of items`);
    const kept = adopt(target as Map<unknown, unknown>, items, 'SETITEM(S)');
    for (let i = 0; i < kept.length; i += 2) (target as Map<unknown, unknown>).set(kept[i], kept[i + 1]);
  };
  const extend = (target: unknown, items: unknown[]) => {
    if (!Array.isArray(target)) fail(`APPEND(S) at byte ${at} targets a ${describe(target)}, not a list`);
    for (const item of adopt(target as unknown[], items, 'APPEND(S)')) (target as unknown[]).push(item);
  };
  const apply = (fn: PickleGlobal, args: unknown[]): unknown => {
    const result = guarded(at, () => fn.call(args));
    // What a global builds holds at most its arguments: one level deeper than they are.
    if (!isContainer(result) || nested.has(result)) return result;
    return adopt(result, [args], fn.name)[0] === TOO_DEEP ? TOO_DEEP : result;
  };
  // Hook errors (a refused global, a malformed tensor) get the file name and the opcode's offset.
  const guarded = <T>(at: number, run: () => T): T => {
    try {
      return run();
    } catch (error) {
      if (error instanceof FileFormatError) throw new FileFormatError(`${source}: ${error.message} (byte ${at})`);
      throw error;
    }
  };
  const smallInt = (value: bigint): number | bigint => (value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value);

  for (;;) {
    if (pos >= bytes.byteLength) fail(`the data ends at byte ${pos} before the STOP opcode`);
    at = pos;
    const op = bytes[pos++];
    switch (op) {
      case OP.PROTO: { const v = u8(); if (v > 5) fail(`protocol ${v} is newer than 5`); break; }
      case OP.FRAME: u64(); break; // framing only groups opcodes: the data is already in memory
      case OP.STOP: return { value: pop(), end: pos };
      case OP.MARK: marks.push(stack); stack = []; break;
      case OP.POP: pop(); break;
      case OP.POP_MARK: popMark(); break;
      case OP.DUP: stack.push(top()); break;
      case OP.NONE: stack.push(null); break;
      case OP.NEWTRUE: stack.push(true); break;
      case OP.NEWFALSE: stack.push(false); break;
      case OP.BININT: need(4, 'BININT'); stack.push(view.getInt32(pos, true)); pos += 4; break;
      case OP.BININT1: stack.push(u8()); break;
      case OP.BININT2: need(2, 'BININT2'); stack.push(view.getUint16(pos, true)); pos += 2; break;
      case OP.LONG1: stack.push(smallInt(decodeLong(take(u8(), 'LONG1')))); break;
      case OP.BINFLOAT: need(8, 'BINFLOAT'); stack.push(view.getFloat64(pos, false)); pos += 8; break;
      case OP.BINUNICODE: stack.push(utf8.decode(take(u32(), 'BINUNICODE'))); break;
      case OP.SHORT_BINUNICODE: stack.push(utf8.decode(take(u8(), 'SHORT_BINUNICODE'))); break;
      case OP.BINUNICODE8: stack.push(utf8.decode(take(u64(), 'BINUNICODE8'))); break;
      // Python 2 str: PyTorch decodes these as ASCII/latin-1 text.
      case OP.BINSTRING: stack.push(latin1.decode(take(u32(), 'BINSTRING'))); break;
      case OP.SHORT_BINSTRING: stack.push(latin1.decode(take(u8(), 'SHORT_BINSTRING'))); break;
      case OP.BINBYTES: stack.push(take(u32(), 'BINBYTES').slice()); break;
      case OP.SHORT_BINBYTES: stack.push(take(u8(), 'SHORT_BINBYTES').slice()); break;
      case OP.BINBYTES8: case OP.BYTEARRAY8: stack.push(take(u64(), 'BINBYTES8').slice()); break;
      case OP.READONLY_BUFFER: top(); break;
      case OP.EMPTY_TUPLE: case OP.EMPTY_LIST: case OP.EMPTY_SET: stack.push([]); break;
      case OP.EMPTY_DICT: stack.push(new Map()); break;
      case OP.TUPLE: case OP.LIST: case OP.FROZENSET: { const items = popMark(); stack.push(tuple(items)); break; } // popMark replaces `stack`
      case OP.DICT: { const items = popMark(); const dict = new Map(); setItems(dict, items); stack.push(dict); break; }
      case OP.TUPLE1: { const a = pop(); stack.push(tuple([a])); break; }
      case OP.TUPLE2: { const b = pop(); const a = pop(); stack.push(tuple([a, b])); break; }
      case OP.TUPLE3: { const c = pop(); const b = pop(); const a = pop(); stack.push(tuple([a, b, c])); break; }
      case OP.APPEND: { const item = pop(); extend(top(), [item]); break; }
      case OP.APPENDS: case OP.ADDITEMS: { const items = popMark(); extend(top(), items); break; }
      case OP.SETITEM: { const value = pop(); const key = pop(); setItems(top(), [key, value]); break; }
      case OP.SETITEMS: { const items = popMark(); setItems(top(), items); break; }
      case OP.BINPUT: memo.set(u8(), top()); break;
      case OP.LONG_BINPUT: memo.set(u32(), top()); break;
      case OP.MEMOIZE: memo.set(memo.size, top()); break;
      case OP.BINGET: case OP.LONG_BINGET: {
        const index = op === OP.BINGET ? u8() : u32();
        if (!memo.has(index)) fail(`memo entry ${index} read at byte ${at} was never stored`);
        stack.push(memo.get(index));
        break;
      }
      case OP.GLOBAL: { const module = line(); const name = line(); stack.push(guarded(at, () => hooks.findGlobal(module, name))); break; }
      case OP.STACK_GLOBAL: {
        const name = pop(); const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail(`STACK_GLOBAL at byte ${at} needs two strings`);
        stack.push(guarded(at, () => hooks.findGlobal(module as string, name as string)));
        break;
      }
      case OP.REDUCE: case OP.NEWOBJ: {
        const args = asArgs(pop(), op === OP.REDUCE ? 'REDUCE' : 'NEWOBJ');
        const fn = callable(pop(), op === OP.REDUCE ? 'REDUCE' : 'NEWOBJ');
        stack.push(apply(fn, args));
        break;
      }
      case OP.NEWOBJ_EX: {
        pop(); // keyword arguments: no whitelisted class takes any that matter
        const args = asArgs(pop(), 'NEWOBJ_EX');
        const fn = callable(pop(), 'NEWOBJ_EX');
        stack.push(apply(fn, args));
        break;
      }
      case OP.BINPERSID: {
        const pid = pop();
        if (!hooks.persistentLoad) fail(`a persistent id at byte ${at} is not allowed here`);
        stack.push(guarded(at, () => hooks.persistentLoad!(pid)));
        break;
      }
      case OP.BUILD: {
        const state = pop();
        const target = top();
        if (target instanceof PickleObject) target.state = adopt(target, [state], 'BUILD')[0];
        else if (!(target instanceof Map)) fail(`BUILD at byte ${at} sets the state of a ${describe(target)}`);
        // A Map is an OrderedDict whose state is its `_metadata` attribute (version numbers): unneeded.
        break;
      }
      default:
        fail(`opcode 0x${op.toString(16).padStart(2, '0')} at byte ${at} is not supported`);
    }
  }
}

/** Two's-complement little-endian integer (LONG1). */
function decodeLong(data: Uint8Array): bigint {
  let value = 0n;
  for (let i = data.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(data[i]);
  if (data.length > 0 && data[data.length - 1] & 0x80) value -= 1n << BigInt(8 * data.length);
  return value;
}

/** Stands in for a value nested deeper than {@link MAX_DEPTH}: inert, and refused by every type check. */
export const TOO_DEEP = new PickleObject(`value nested deeper than ${MAX_DEPTH} levels`);

function isContainer(value: unknown): value is object {
  return Array.isArray(value) || value instanceof Map || value instanceof PickleObject;
}

/**
 * A value for messages, never long and never walked into: a string or number cut short, else
 * its type ('a tuple/list').
 *
 * @example
 * quote('x'.repeat(500)) // "'xxx…xxx… (500 characters)'"
 */
export function quote(value: unknown): string {
  if (typeof value === 'string') return `'${cut(value)}'`;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return cut(String(value));
  return `a ${describe(value)}`;
}

/** A short type name for messages (never walks into nested values). */
export function describe(value: unknown): string {
  if (value === null) return 'None';
  if (Array.isArray(value)) return 'tuple/list';
  if (value instanceof Map) return 'dict';
  if (value instanceof Uint8Array) return 'bytes';
  if (value instanceof PickleObject) return value.className;
  if (typeof value === 'object' && 'call' in value && 'name' in value) return `global ${String(value.name)}`;
  return typeof value === 'object' ? (value as object).constructor?.name ?? 'object' : typeof value;
}
