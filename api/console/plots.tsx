// Small server-rendered SVG plots for the console: bars over time and a line over x. No client
// library: the page stays light and prints/screenshots as it looks.
/** @jsxImportSource hono/jsx */

export interface Point {
  x: number;
  y: number;
}

const W = 640;
const H = 180;
const PAD = { l: 44, r: 10, t: 10, b: 26 };

function ticks(min: number, max: number, n: number): number[] {
  if (max <= min) return [min];
  const step = (max - min) / n;
  return Array.from({ length: n + 1 }, (_, i) => min + i * step);
}

const fmtTime = (t: number) => new Date(t).toISOString().slice(5, 16).replace('T', ' ');
const fmtNum = (v: number) =>
  Math.abs(v) >= 1000 ? `${(v / 1000).toFixed(1)}k` : Number.isInteger(v) ? String(v) : v.toFixed(2);

export function BarChart(props: { points: Point[]; title: string; xIsTime?: boolean; yLabel?: string }) {
  const { points } = props;
  if (!points.length) return <p class="muted">{props.title}: no data yet.</p>;
  const xs = points.map((p) => p.x);
  const minX = Math.min(...xs);
  const maxX = Math.max(...xs);
  const maxY = Math.max(1, ...points.map((p) => p.y));
  const iw = W - PAD.l - PAD.r;
  const ih = H - PAD.t - PAD.b;
  const bw = Math.max(2, Math.min(40, iw / Math.max(points.length, 1) - 2));
  const sx = (x: number) => PAD.l + (maxX === minX ? iw / 2 : ((x - minX) / (maxX - minX)) * (iw - bw));
  const sy = (y: number) => PAD.t + ih - (y / maxY) * ih;
  return (
    <figure>
      <figcaption>{props.title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label={props.title}>
        {ticks(0, maxY, 4).map((t) => (
          <g>
            <line x1={PAD.l} x2={W - PAD.r} y1={sy(t)} y2={sy(t)} stroke="#e3e6ea" />
            <text x={PAD.l - 4} y={sy(t) + 4} text-anchor="end" font-size="10">
              {fmtNum(t)}
            </text>
          </g>
        ))}
        {points.map((p) => (
          <rect x={sx(p.x)} y={sy(p.y)} width={bw} height={Math.max(0, PAD.t + ih - sy(p.y))} fill="#d9534f">
            <title>{`${props.xIsTime ? fmtTime(p.x) : fmtNum(p.x)}: ${p.y}`}</title>
          </rect>
        ))}
        <text x={PAD.l} y={H - 6} font-size="10">
          {props.xIsTime ? fmtTime(minX) : fmtNum(minX)}
        </text>
        <text x={W - PAD.r} y={H - 6} font-size="10" text-anchor="end">
          {props.xIsTime ? fmtTime(maxX) : fmtNum(maxX)}
        </text>
      </svg>
    </figure>
  );
}

export function LineChart(props: {
  series: { name: string; points: Point[]; color?: string }[];
  title: string;
  xIsTime?: boolean;
  xLabel?: string;
  yLabel?: string;
}) {
  const all = props.series.flatMap((s) => s.points);
  if (!all.length) return <p class="muted">{props.title}: no data yet.</p>;
  const minX = Math.min(...all.map((p) => p.x));
  const maxX = Math.max(...all.map((p) => p.x));
  const minY = Math.min(0, ...all.map((p) => p.y));
  const maxY = Math.max(...all.map((p) => p.y), minY + 1e-9);
  const iw = W - PAD.l - PAD.r;
  const ih = H - PAD.t - PAD.b;
  const sx = (x: number) => PAD.l + (maxX === minX ? iw / 2 : ((x - minX) / (maxX - minX)) * iw);
  const sy = (y: number) => PAD.t + ih - ((y - minY) / (maxY - minY)) * ih;
  const colors = ['#0275d8', '#d9534f', '#5cb85c', '#f0ad4e'];
  return (
    <figure>
      <figcaption>{props.title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label={props.title}>
        {ticks(minY, maxY, 4).map((t) => (
          <g>
            <line x1={PAD.l} x2={W - PAD.r} y1={sy(t)} y2={sy(t)} stroke="#e3e6ea" />
            <text x={PAD.l - 4} y={sy(t) + 4} text-anchor="end" font-size="10">
              {fmtNum(t)}
            </text>
          </g>
        ))}
        {props.series.map((s, i) => (
          <polyline
            fill="none"
            stroke={s.color ?? colors[i % colors.length]}
            stroke-width="2"
            points={s.points.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ')}
          >
            <title>{s.name}</title>
          </polyline>
        ))}
        <text x={PAD.l} y={H - 6} font-size="10">
          {props.xIsTime ? fmtTime(minX) : fmtNum(minX)}
        </text>
        <text x={W - PAD.r} y={H - 6} font-size="10" text-anchor="end">
          {props.xIsTime ? fmtTime(maxX) : fmtNum(maxX)}
          {props.xLabel ? ` ${props.xLabel}` : ''}
        </text>
      </svg>
      {props.series.length > 1 ? (
        <p class="legend">
          {props.series.map((s, i) => (
            <span style={`color:${s.color ?? colors[i % colors.length]}`}>■ {s.name} </span>
          ))}
        </p>
      ) : null}
    </figure>
  );
}
