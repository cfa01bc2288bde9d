/**
 * Reads onnxruntime's node placement from its verbose session log (session option
 * logSeverityLevel 0), which prints, per execution provider, "Node(s) placed on [EP]. Number of
 * nodes: N" followed by one "  OpType (node name)" line per node.
 */

/** Provider → operator type → node count. */
export type Placement = Map<string, Map<string, number>>;

const PROVIDER = /(?:All nodes|Node\(s\)) placed on \[(\w+)\]\. Number of nodes: (\d+)/;
const NODE = /VerifyEachNodeIsAssignedToAnEp\]\s{2,}(\w+) \(/;

/**
 * Node counts per provider and operator type; providers whose nodes are not listed (the "All
 * nodes placed" form) count under '*'.
 *
 * @example
 * nodePlacement(run.log).get('CPUExecutionProvider') // Map { 'LogSoftmax' => 1 }
 */
export function nodePlacement(log: readonly string[]): Placement {
  const placement: Placement = new Map();
  let current: Map<string, number> | undefined;
  for (const line of log) {
    const provider = PROVIDER.exec(line);
    if (provider) {
      current = new Map();
      placement.set(provider[1], current);
      if (line.includes('All nodes')) current.set('*', Number(provider[2]));
      continue;
    }
    const node = current && NODE.exec(line);
    if (node) current!.set(node[1], (current!.get(node[1]) ?? 0) + 1);
  }
  return placement;
}

/** Operator type → count of the nodes onnxruntime put on its CPU provider. */
export function cpuNodes(log: readonly string[]): Record<string, number> {
  return Object.fromEntries(nodePlacement(log).get('CPUExecutionProvider') ?? []);
}
