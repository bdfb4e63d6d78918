// A small SVG bar chart (no chart library): one bar per point, a y axis with a round maximum,
// x labels every `labelEvery` points, a native tooltip per bar, and a text summary that the
// image is labelled by, plus the numbers as a table for anyone who wants them exactly.
import { useId } from 'react';
import { useT, type Text } from '../shared/i18n.js';

export interface ChartPoint {
  readonly label: string;
  readonly value: number;
  readonly detail?: string;
}

/** 0 → 1, 7 → 10, 23 → 25, 180 → 200: a round top for the y axis. */
export function niceMax(value: number): number {
  if (value <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (value <= step * power) return step * power;
  return 10 * power;
}

export function BarChart(props: {
  points: readonly ChartPoint[];
  title: Text;
  summary: string;
  valueHeading: Text;
  labelEvery?: number;
  testId?: string;
}) {
  const { t } = useT();
  const id = useId();
  const width = 720;
  const height = 240;
  const left = 44;
  const right = 8;
  const top = 12;
  const bottom = 28;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const max = niceMax(Math.max(0, ...props.points.map((p) => p.value)));
  const slot = props.points.length > 0 ? plotW / props.points.length : plotW;
  const barW = Math.max(1, slot * 0.72);
  const every = props.labelEvery ?? 10;
  // Counts are whole numbers: a middle tick only where it is one.
  const ticks = Number.isInteger(max / 2) ? [0, max / 2, max] : [0, max];
  return (
    <figure className="chart" data-testid={props.testId} aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`} className="chart-title">
        {t(props.title)}
      </figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={`${id}-title ${id}-summary`} preserveAspectRatio="xMidYMid meet">
        {ticks.map((tick) => {
          const y = top + plotH - (tick / max) * plotH;
          return (
            <g key={tick} className="chart-grid">
              <line x1={left} x2={width - right} y1={y} y2={y} />
              <text x={left - 6} y={y + 4} textAnchor="end">
                {tick}
              </text>
            </g>
          );
        })}
        {props.points.map((p, i) => {
          const h = (p.value / max) * plotH;
          const x = left + i * slot + (slot - barW) / 2;
          return (
            <g key={i}>
              {p.value > 0 ? (
                <rect className="chart-bar" x={x} y={top + plotH - h} width={barW} height={h} data-value={p.value}>
                  <title>{`${p.label}: ${p.value}${p.detail ? ` (${p.detail})` : ''}`}</title>
                </rect>
              ) : null}
              {i % every === 0 || i === props.points.length - 1 ? (
                <text
                  className="chart-xlabel"
                  x={i === props.points.length - 1 ? width - right : left + i * slot + slot / 2}
                  y={height - 8}
                  textAnchor={i === props.points.length - 1 ? 'end' : i === 0 ? 'start' : 'middle'}
                >
                  {p.label}
                </text>
              ) : null}
            </g>
          );
        })}
        <line className="chart-axis" x1={left} x2={width - right} y1={top + plotH} y2={top + plotH} />
      </svg>
      <p id={`${id}-summary`} className="chart-summary">
        {props.summary}
      </p>
      <details>
        <summary>{t({ zh: '查看数据表', en: 'Show the numbers as a table' })}</summary>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t({ zh: '时间', en: 'Time' })}</th>
                <th scope="col">{t(props.valueHeading)}</th>
              </tr>
            </thead>
            <tbody>
              {props.points
                .filter((p) => p.value > 0)
                .map((p, i) => (
                  <tr key={i}>
                    <td>{p.label}</td>
                    <td>
                      {p.value}
                      {p.detail ? ` · ${p.detail}` : ''}
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
          {props.points.every((p) => p.value === 0) ? <p className="muted">{t({ zh: '没有数据。', en: 'Nothing to show.' })}</p> : null}
        </div>
      </details>
    </figure>
  );
}
