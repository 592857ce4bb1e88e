import type { AbstractGraph as Graph } from 'graphology-types';
import Sigma from 'sigma';
import type { Settings } from 'sigma/settings';
import { useEffect, useRef } from 'preact/hooks';

export interface GraphHandle {
  sigma: Sigma;
  graph: Graph;
}

declare global {
  interface Window {
    /** The graph on screen, for tests and the console. */
    envscaleGraph?: GraphHandle;
  }
}

interface Props {
  graph: Graph;
  settings?: Partial<Settings>;
  onNode?: (node: string) => void;
  onStage?: () => void;
  /** Called once the renderer exists (to move the camera, listen to it...). */
  onReady?: (handle: GraphHandle) => void;
  /** Nodes to bring forward (the others are dimmed), e.g. a selection and its neighbours. */
  focus?: Set<string> | null;
  class?: string;
}

/**
 * A graph drawn by sigma.js (WebGL). Hovering a node dims everything but it and its neighbours;
 * `focus` does the same for a selection.
 */
export function GraphView({ graph, settings, onNode, onStage, onReady, focus, class: cls }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const sigma = useRef<Sigma | undefined>(undefined);
  const hovered = useRef<string | null>(null);
  const focusRef = useRef(focus);
  focusRef.current = focus;
  const handlers = useRef({ onNode, onStage });
  handlers.current = { onNode, onStage };

  useEffect(() => {
    const renderer = new Sigma(graph, box.current!, {
      labelFont: 'system-ui, sans-serif',
      labelSize: 12,
      labelRenderedSizeThreshold: 7,
      zIndex: true,
      ...settings,
      nodeReducer: (node, data) => {
        const near = neighbourhood(graph, hovered.current) ?? focusRef.current;
        if (!near || near.has(node)) return { ...data, zIndex: 1, ...(hovered.current === node ? { highlighted: true } : {}) };
        return { ...data, color: '#c8ccd2', label: '', zIndex: 0 };
      },
      edgeReducer: (edge, data) => {
        const near = neighbourhood(graph, hovered.current) ?? focusRef.current;
        if (!near) return data;
        const [a, b] = graph.extremities(edge);
        return near.has(a) && near.has(b) ? { ...data, zIndex: 1 } : { ...data, hidden: true };
      },
    });
    renderer.on('enterNode', ({ node }) => {
      hovered.current = node;
      box.current!.style.cursor = 'pointer';
      renderer.refresh({ skipIndexation: true });
    });
    renderer.on('leaveNode', () => {
      hovered.current = null;
      box.current!.style.cursor = '';
      renderer.refresh({ skipIndexation: true });
    });
    renderer.on('clickNode', ({ node }) => handlers.current.onNode?.(node));
    renderer.on('clickStage', () => handlers.current.onStage?.());
    sigma.current = renderer;
    window.envscaleGraph = { sigma: renderer, graph };
    onReady?.({ sigma: renderer, graph });
    return () => {
      renderer.kill();
      if (window.envscaleGraph?.sigma === renderer) window.envscaleGraph = undefined;
    };
    // The renderer lives as long as the graph object; changes to it are drawn by sigma itself.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [graph]);

  useEffect(() => {
    sigma.current?.refresh({ skipIndexation: true });
  }, [focus]);

  return <div ref={box} class={`graph ${cls ?? ''}`} />;
}

function neighbourhood(graph: Graph, node: string | null): Set<string> | null {
  if (!node || !graph.hasNode(node)) return null;
  return new Set([node, ...graph.neighbors(node)]);
}
