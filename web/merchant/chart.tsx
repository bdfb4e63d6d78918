// Hourly bars as an inline SVG (no chart library). The SVG is a picture for sighted people; the
// same numbers are in a table for screen readers (and for anyone, under "Show as a table").
import { useT } from '../shared/i18n.js';
import { formatMoney } from '../shared/money.js';

export interface HourBar {
  readonly hour: number;
  readonly payments: number;
  readonly amountMinor: number;
}

const W = 420;
const H = 220;
const LEFT = 56;
const RIGHT = 8;
const TOP = 12;
const BOTTOM = 32;

/** A round axis maximum at or above `max` (1, 2 or 5 times a power of ten; at least 100), in minor units. */
function niceMax(max: number): number {
  if (max <= 100) return 100;
  let step = 1;
  while (step * 10 <= max) step *= 10;
  for (const m of [1, 2, 5, 10]) if (m * step >= max) return m * step;
  return 10 * step;
}

/** "¥250" for a whole amount on the axis, "¥2.50" otherwise. */
function axisLabel(amountMinor: number, currency: string): string {
  return formatMoney(amountMinor, currency).replace(/\.0+$/, '');
}

export function HourlyChart(props: { hours: readonly HourBar[]; currency: string; caption: string; testId?: string }) {
  const { t } = useT();
  const { hours, currency } = props;
  const max = niceMax(Math.max(0, ...hours.map((h) => h.amountMinor)));
  const plotW = W - LEFT - RIGHT;
  const plotH = H - TOP - BOTTOM;
  const slot = plotW / 24;
  const ticks = [0, max / 2, max];
  return (
    <figure className="chart">
      <figcaption id="chart-caption">{props.caption}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" className="chart-svg" role="img" aria-labelledby="chart-caption" data-testid={props.testId} data-max-minor={max} preserveAspectRatio="xMidYMid meet">
        {ticks.map((v) => {
          const y = TOP + plotH - (v / max) * plotH;
          return (
            <g key={v}>
              <line x1={LEFT} x2={W - RIGHT} y1={y} y2={y} stroke="#d0d0cc" />
              <text x={LEFT - 6} y={y + 4} textAnchor="end" fontSize="13" fill="#4d4d4d">
                {axisLabel(v, currency)}
              </text>
            </g>
          );
        })}
        {hours.map((h) => {
          const barH = (h.amountMinor / max) * plotH;
          const x = LEFT + h.hour * slot + slot * 0.15;
          return (
            <g key={h.hour}>
              {h.amountMinor > 0 ? (
                <rect x={x} y={TOP + plotH - barH} width={slot * 0.7} height={Math.max(barH, 1)} fill="#0b6e4f" data-hour={h.hour} data-amount-minor={h.amountMinor}>
                  <title>{`${String(h.hour).padStart(2, '0')}:00 · ${formatMoney(h.amountMinor, currency)} · ${h.payments}`}</title>
                </rect>
              ) : null}
              {h.hour % 3 === 0 ? (
                <text x={LEFT + h.hour * slot + slot / 2} y={H - 10} textAnchor="middle" fontSize="13" fill="#4d4d4d">
                  {String(h.hour).padStart(2, '0')}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <details className="chart-table">
        <summary>{t({ zh: '以表格显示', en: 'Show as a table' })}</summary>
        <table>
          <caption className="sr-only">{props.caption}</caption>
          <thead>
            <tr>
              <th scope="col">{t({ zh: '时段', en: 'Hour' })}</th>
              <th scope="col">{t({ zh: '笔数', en: 'Payments' })}</th>
              <th scope="col">{t({ zh: '金额', en: 'Amount' })}</th>
            </tr>
          </thead>
          <tbody>
            {hours
              .filter((h) => h.payments > 0)
              .map((h) => (
                <tr key={h.hour} data-testid="today-hour-row" data-hour={h.hour}>
                  <th scope="row">{`${String(h.hour).padStart(2, '0')}:00–${String(h.hour + 1).padStart(2, '0')}:00`}</th>
                  <td>{h.payments}</td>
                  <td>{formatMoney(h.amountMinor, currency)}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
