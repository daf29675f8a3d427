import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  /** A custom property of the stylesheet (`--ok`), so that the chart follows light and dark. */
  colorVar: string;
}

interface ChartProps {
  series: ChartSeries[];
  /** uPlot's aligned data: x (seconds since the epoch), then one array per series (null: no value). */
  data: uPlot.AlignedData;
  /** How a value reads on the axis and in the legend. */
  format: (value: number) => string;
  /** The y axis runs from 0 to at least this, */
  minMax?: number;
  /** with ticks at multiples of one of these (whole jobs, not 0.5 of one). */
  steps: number[];
  /** A dot on every value: for sparse series, whose lone values would not show as lines. */
  dots?: boolean;
}

const HEIGHT = 150;

/**
 * A time series drawn by uPlot on a canvas, as wide as its container. uPlot sets its styles
 * through the CSSOM, which the Content-Security-Policy allows. The canvas is hidden from assistive
 * technology: the figure around it says in words what it shows.
 */
export function Chart({ series, data, format, minMax = 1, steps, dots = false }: ChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latestData = useRef(data);
  latestData.current = data;
  const scheme = useColorScheme();

  useEffect(() => {
    const element = host.current;
    if (element === null) return;
    const style = getComputedStyle(element);
    const color = (name: string) => style.getPropertyValue(name).trim();
    const axis: uPlot.Axis = {
      stroke: color('--muted'),
      grid: { stroke: color('--grid'), width: 1 },
      ticks: { stroke: color('--grid'), width: 1 },
    };
    const made = new uPlot(
      {
        width: Math.max(element.clientWidth, 200),
        height: HEIGHT,
        series: [
          {},
          ...series.map((line): uPlot.Series => ({
            label: line.label,
            stroke: color(line.colorVar),
            width: 2,
            // A minute's count holds for the whole minute.
            paths: stepped,
            points: dots ? { show: true, size: 6, fill: color(line.colorVar) } : { show: false },
            value: (_chart, value: number | null) => (value === null ? '–' : format(value)),
          })),
        ],
        scales: { y: { range: (_chart, _min, max) => [0, Math.max(max, minMax)] } },
        axes: [axis, { ...axis, size: 56, incrs: steps, values: (_chart, ticks) => ticks.map(format) }],
        cursor: { drag: { x: false, y: false } },
      },
      latestData.current,
      element,
    );
    plot.current = made;
    const resize = new ResizeObserver(() => {
      made.setSize({ width: Math.max(element.clientWidth, 200), height: HEIGHT });
    });
    resize.observe(element);
    return () => {
      resize.disconnect();
      made.destroy();
      plot.current = null;
    };
  }, [scheme, series, format, minMax, steps, dots]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return <div ref={host} class="chart" aria-hidden="true" />;
}

const stepped = uPlot.paths.stepped?.({ align: 1 });

const DARK = '(prefers-color-scheme: dark)';

/** 'dark' or 'light', following the system's setting as it changes. */
function useColorScheme(): 'dark' | 'light' {
  const [dark, setDark] = useState(() => matchMedia(DARK).matches);
  useEffect(() => {
    const query = matchMedia(DARK);
    const follow = () => {
      setDark(query.matches);
    };
    query.addEventListener('change', follow);
    return () => {
      query.removeEventListener('change', follow);
    };
  }, []);
  return dark ? 'dark' : 'light';
}
