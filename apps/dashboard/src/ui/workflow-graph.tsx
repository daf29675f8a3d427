import type { WorkflowNode } from '@conveyor/client';
import { useId } from 'preact/hooks';
import { href } from '../route';
import { statusLabel } from './status';
import { Scrolling } from './table';

/** Above this many nodes the graph is not drawn: it would be too big to read or to lay out quickly. */
export const MAX_DRAWN_NODES = 300;

const NODE_WIDTH = 152;
const NODE_HEIGHT = 44;
const COLUMN_GAP = 52;
const ROW_GAP = 14;
/** The height an edge takes where it crosses a column. */
const LANE_HEIGHT = 10;
/** Room around the drawing for a node's thicker border on hover and focus. */
const MARGIN = 6;
/** What fits in a box at the graph's font size; the whole ref is in the node's title. */
const MAX_REF_CHARS = 18;

/**
 * The nodes in layers: a node's layer is the longest path to it from a node that depends on
 * nothing, so that every edge points to a later layer. Within a layer, in the order given.
 */
export function layersOf(nodes: WorkflowNode[]): WorkflowNode[][] {
  const children = new Map<string, WorkflowNode[]>();
  const parentsLeft = new Map<string, number>();
  for (const node of nodes) {
    parentsLeft.set(node.ref, node.dependsOn.length);
    for (const parent of node.dependsOn) {
      const siblings = children.get(parent);
      if (siblings === undefined) children.set(parent, [node]);
      else siblings.push(node);
    }
  }
  // Kahn's order: a node is reached once all its parents are, one layer after the deepest of them;
  // `reached` grows while it is walked.
  const layerOf = new Map<string, number>();
  const reached = nodes.filter((node) => node.dependsOn.length === 0);
  for (const node of reached) {
    const layer = layerOf.get(node.ref) ?? 0;
    for (const child of children.get(node.ref) ?? []) {
      layerOf.set(child.ref, Math.max(layerOf.get(child.ref) ?? 0, layer + 1));
      const left = (parentsLeft.get(child.ref) ?? 0) - 1;
      parentsLeft.set(child.ref, left);
      if (left === 0) reached.push(child);
    }
  }
  const layers: WorkflowNode[][] = [];
  for (const node of nodes) (layers[layerOf.get(node.ref) ?? 0] ??= []).push(node);
  return layers;
}

/**
 * A place in a column: a node's box, or the lane an edge takes across a column it skips, so that
 * no edge runs behind a box.
 */
interface Slot {
  /** The node's ref; for a lane, its edge's refs and column. */
  key: string;
  node: WorkflowNode | null;
  /** The slots in the column before that lead here: the parents' boxes, or their edges' lanes. */
  from: string[];
  x: number;
  y: number;
}

interface Drawing {
  /** Column by column, top to bottom: the reading order. */
  boxes: (Slot & { node: WorkflowNode })[];
  edges: { key: string; path: string }[];
  width: number;
  height: number;
}

function slotHeight(slot: Slot): number {
  return slot.node === null ? LANE_HEIGHT : NODE_HEIGHT + ROW_GAP;
}

/** Where edges meet the slot: the middle of its box, or its lane. */
function middleOf(slot: Slot): number {
  return slot.y + slotHeight(slot) / 2;
}

/**
 * Layers left to right, each a column centred on the tallest (Sugiyama's layout, simplified). A
 * column is ordered by where what leads to each slot is (the mean of their heights), which keeps
 * most edges from crossing.
 */
function draw(layers: WorkflowNode[][]): Drawing {
  const columnOf = new Map<string, number>();
  layers.forEach((layer, column) => {
    for (const node of layer) columnOf.set(node.ref, column);
  });
  const columns: Slot[][] = layers.map((layer) =>
    layer.map((node) => ({ key: node.ref, node, from: [], x: 0, y: 0 })),
  );
  // Each edge as the slots it passes, parent to child, with a lane in every column between.
  const routes: string[][] = [];
  columns.forEach((column, index) => {
    for (const slot of column) {
      for (const parent of slot.node?.dependsOn ?? []) {
        const route = [parent];
        for (let lane = (columnOf.get(parent) ?? 0) + 1; lane < index; lane += 1) {
          const key = `${parent} ${slot.key} ${lane}`;
          columns[lane]?.push({ key, node: null, from: route.slice(-1), x: 0, y: 0 });
          route.push(key);
        }
        slot.from.push(route[route.length - 1] ?? parent);
        routes.push([...route, slot.key]);
      }
    }
  });

  const heightOf = (column: Slot[]) => column.reduce((sum, slot) => sum + slotHeight(slot), 0);
  const tallest = Math.max(...columns.map(heightOf));
  const at = new Map<string, Slot>();
  const boxes: Drawing['boxes'] = [];
  columns.forEach((column, index) => {
    const leadsHere = (slot: Slot): number => {
      const heights = slot.from.flatMap((key) => {
        const before = at.get(key);
        return before === undefined ? [] : [middleOf(before)];
      });
      return heights.length === 0 ? 0 : heights.reduce((sum, y) => sum + y, 0) / heights.length;
    };
    const ordered = index === 0 ? column : [...column].sort((a, b) => leadsHere(a) - leadsHere(b));
    let y = MARGIN + (tallest - heightOf(ordered)) / 2;
    for (const slot of ordered) {
      slot.x = MARGIN + index * (NODE_WIDTH + COLUMN_GAP);
      slot.y = y;
      y += slotHeight(slot);
      at.set(slot.key, slot);
      if (slot.node !== null) boxes.push({ ...slot, node: slot.node });
    }
  });
  const edges = routes.map((route) => ({
    key: route.join(' '),
    path: edgePath(route.flatMap((key) => at.get(key) ?? [])),
  }));
  return {
    boxes,
    edges,
    width: 2 * MARGIN + layers.length * NODE_WIDTH + (layers.length - 1) * COLUMN_GAP,
    height: 2 * MARGIN + tallest,
  };
}

/**
 * From the middle of the parent's right side, across each lane, to the middle of the child's
 * left side; a curve between columns.
 */
function edgePath([parent, ...rest]: Slot[]): string {
  if (parent === undefined) return '';
  let x = parent.x + NODE_WIDTH;
  let y = middleOf(parent);
  let path = `M ${x} ${y}`;
  for (const slot of rest) {
    const bend = (slot.x - x) / 2;
    path += ` C ${x + bend} ${y}, ${slot.x - bend} ${middleOf(slot)}, ${slot.x} ${middleOf(slot)}`;
    x = slot.x + NODE_WIDTH;
    y = middleOf(slot);
    if (slot.node === null) path += ` L ${x} ${y}`;
  }
  return path;
}

function shortRef(ref: string): string {
  return ref.length <= MAX_REF_CHARS ? ref : `${ref.slice(0, MAX_REF_CHARS - 1)}…`;
}

function describeNode(node: WorkflowNode): string {
  const after = node.dependsOn.length === 0 ? '' : `, after ${node.dependsOn.join(', ')}`;
  return `${node.ref}: ${statusLabel(node.status)}${after}`;
}

/**
 * A workflow as a graph: each node a box in its status's colour, linked to its job, with an arrow
 * from every node it depends on. Nodes are links in reading order (column by column), so the
 * keyboard reaches each one; the drawing scrolls inside its own frame when wider than the page.
 */
export function WorkflowGraph({ layers }: { layers: WorkflowNode[][] }) {
  const arrow = `${useId()}-arrow`;
  const drawing = draw(layers);
  const nodeCount = drawing.boxes.length;
  return (
    <Scrolling label={`Graph of ${nodeCount} nodes in ${layers.length} layers, from left to right`}>
      <svg
        class="dag"
        width={drawing.width}
        height={drawing.height}
        viewBox={`0 0 ${drawing.width} ${drawing.height}`}
      >
        <defs>
          <marker
            id={arrow}
            viewBox="0 0 8 8"
            refX="8"
            refY="4"
            markerWidth="7"
            markerHeight="7"
            orient="auto"
          >
            <path d="M 0 0 L 8 4 L 0 8 z" class="dag-arrow" />
          </marker>
        </defs>
        <g aria-hidden="true">
          {drawing.edges.map((edge) => (
            <path key={edge.key} class="dag-edge" d={edge.path} marker-end={`url(#${arrow})`} />
          ))}
        </g>
        {drawing.boxes.map(({ node, x, y }) => (
          // An SVG <a> (Preact creates it in the SVG namespace), typed here as the HTML one.
          <a
            key={node.ref}
            class={`dag-node status-${node.status}`}
            href={href({ page: 'job', id: node.jobId })}
          >
            {/* Its name (SVG-AAM), and on hover the whole ref where the box shortens it. */}
            <title>{describeNode(node)}</title>
            <g transform={`translate(${x} ${y + ROW_GAP / 2})`}>
              <rect width={NODE_WIDTH} height={NODE_HEIGHT} rx="6" />
              <text x="10" y="18" class="dag-ref">
                {shortRef(node.ref)}
              </text>
              <text x="10" y="35" class="dag-status">
                {statusLabel(node.status)}
                {node.attempts > 1 && ` · attempt ${node.attempts}`}
              </text>
            </g>
          </a>
        ))}
      </svg>
    </Scrolling>
  );
}
