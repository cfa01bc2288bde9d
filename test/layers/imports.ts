/**
 * Reads the import graph of src/ from the sources: every static `import … from`, `export … from`
 * and dynamic `import('…')`, relative ones resolved to files, bare ones kept as package names.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';

export interface ImportEdge {
  /** The importing file, relative to src/ (`model/efficientNet.ts`). */
  readonly from: string;
  /** A file relative to src/, or a package / `node:` specifier. */
  readonly to: string;
  /** Type-only imports vanish at run time: they count for layering, not for platform checks. */
  readonly typeOnly: boolean;
}

const SPECIFIER = /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every `.ts` file below `root`, relative to it, with forward slashes. */
export function sourceFiles(root: string, dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(root, path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [relative(root, path).split('\\').join('/')] : [];
  });
}

/** The import edges of every source file below `root`. */
export function importEdges(root: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of sourceFiles(root)) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const match of text.matchAll(SPECIFIER)) {
      const specifier = match[3] ?? match[4];
      const typeOnly = match[2] !== undefined;
      const to = specifier.startsWith('.') ? posix.normalize(posix.join(posix.dirname(file), specifier)).replace(/\.js$/, '.ts') : specifier;
      edges.push({ from: file, to, typeOnly });
    }
  }
  return edges;
}

/** Every cycle among files, each as the list of files around it (Tarjan's strongly connected components). */
export function cycles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) if (!to.includes(':') && to.endsWith('.ts')) next.set(from, [...(next.get(from) ?? []), to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (next.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return found;
}

/** src/ beside the compiled test (dist/test/layers → src). */
export function sourceRoot(compiledDir: string): string {
  return join(compiledDir, '..', '..', '..', 'src');
}

export { dirname };
