// A QR code drawn as SVG rectangles from the `qrcode` matrix (no innerHTML, no canvas: it scales
// crisply and the content security policy needs nothing special).
import QRCode from 'qrcode';
import { useMemo } from 'react';

export function QrImage(props: { value: string; label: string; sizePx?: number; testId?: string }) {
  const { path, size } = useMemo(() => {
    const qr = QRCode.create(props.value, { errorCorrectionLevel: 'M' });
    const n = qr.modules.size;
    let d = '';
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) if (qr.modules.get(x, y)) d += `M${x + 4} ${y + 4}h1v1h-1z`;
    return { path: d, size: n + 8 };
  }, [props.value]);
  return (
    <svg
      role="img"
      aria-label={props.label}
      data-testid={props.testId}
      data-payload={props.value}
      viewBox={`0 0 ${size} ${size}`}
      width={props.sizePx ?? 240}
      height={props.sizePx ?? 240}
      shapeRendering="crispEdges"
      style={{ background: '#fff' }}
    >
      <path d={path} fill="#000" />
    </svg>
  );
}
