/** Live throughput as an SVG line chart: messages/s (blue, left axis) and MB/s or KB/s (green, right axis) over time. */

/** One point of the chart. */
export interface Sample {
  at: string;
  messagesPerSecond: number;
  bytesPerSecond: number;
}

const W = 720;
const H = 200;
const PAD = { left: 48, right: 56, top: 12, bottom: 26 };
const MB = 1024 * 1024;

/** A "nice" axis maximum at or above `v` (1, 2, 5 × 10^n). */
function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map((m) => m * p).find((m) => m >= v) ?? 10 * p;
}

const short = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

/** The chart of `samples` (oldest first); says so when there is nothing to draw yet. */
export function ThroughputChart({ samples }: { samples: Sample[] }) {
  if (samples.length < 2)
    return (
      <p className="muted chart-empty">
        The throughput chart starts when a run is going (one point a second).
      </p>
    );
  const t0 = Date.parse(samples[0]!.at);
  const t1 = Date.parse(samples[samples.length - 1]!.at);
  const span = Math.max(t1 - t0, 1);
  const mMax = niceMax(Math.max(...samples.map((s) => s.messagesPerSecond)));
  // Data in MB/s once any sample reaches 1 MB/s, else in KB/s (small mailboxes would show only zeros).
  const peak = Math.max(...samples.map((s) => s.bytesPerSecond));
  const [unit, unitName] = peak >= MB ? [MB, 'MB/s'] : [1024, 'KB/s'];
  const bMax = niceMax(peak / unit);
  const x = (at: string) => PAD.left + ((Date.parse(at) - t0) / span) * (W - PAD.left - PAD.right);
  const y = (v: number, max: number) => PAD.top + (1 - v / max) * (H - PAD.top - PAD.bottom);
  const line = (f: (s: Sample) => number, max: number) =>
    samples.map((s, i) => `${i ? 'L' : 'M'}${x(s.at).toFixed(1)},${y(f(s), max).toFixed(1)}`).join(' ');
  const last = samples[samples.length - 1]!;
  const minutes = span / 60_000;
  return (
    <figure className="chart-box">
      <svg className="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label="Throughput over time">
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line
              x1={PAD.left}
              x2={W - PAD.right}
              y1={y(f * mMax, mMax)}
              y2={y(f * mMax, mMax)}
              stroke="#e1e6ed"
            />
            <text x={PAD.left - 6} y={y(f * mMax, mMax) + 4} textAnchor="end">
              {short(f * mMax)}
            </text>
            <text x={W - PAD.right + 6} y={y(f * bMax, bMax) + 4}>
              {short(f * bMax)}
            </text>
          </g>
        ))}
        <path d={line((s) => s.messagesPerSecond, mMax)} fill="none" stroke="#1f5fbf" strokeWidth="2" />
        <path
          d={line((s) => s.bytesPerSecond / unit, bMax)}
          fill="none"
          stroke="#1d7a3e"
          strokeWidth="2"
          strokeDasharray="5 3"
        />
        <text x={PAD.left} y={H - 6}>
          {minutes >= 1 ? `${minutes.toFixed(0)} min ago` : `${Math.round(span / 1000)} s ago`}
        </text>
        <text x={W - PAD.right} y={H - 6} textAnchor="end">
          now
        </text>
      </svg>
      <figcaption>
        <span className="legend msgs">━ messages/s (left): {short(last.messagesPerSecond)}</span>{' '}
        <span className="legend mbs">
          ╍ {unitName} (right): {short(last.bytesPerSecond / unit)}
        </span>
      </figcaption>
    </figure>
  );
}
