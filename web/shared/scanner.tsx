// The camera scanner: @zxing/library decoding frames of getUserMedia's video. The camera is
// released when the component goes away. Native BarcodeDetector is not relied on (missing in
// many browsers).
import { BrowserQRCodeReader } from '@zxing/library';
import { useEffect, useRef, useState } from 'react';

export function Scanner(props: { onCode: (text: string) => void; label: string; errorText: (reason: string) => string }) {
  const video = useRef<HTMLVideoElement>(null);
  const [error, setError] = useState<string | undefined>();
  const onCode = useRef(props.onCode);
  onCode.current = props.onCode;

  useEffect(() => {
    const reader = new BrowserQRCodeReader(150);
    let done = false;
    if (!navigator.mediaDevices?.getUserMedia) {
      setError(props.errorText('unsupported'));
      return;
    }
    reader
      .decodeFromConstraints({ video: { facingMode: 'environment' } }, video.current!, (result) => {
        if (result && !done) {
          done = true;
          onCode.current(result.getText());
        }
      })
      .catch((e: unknown) => setError(props.errorText(e instanceof Error ? e.name : 'unknown')));
    return () => {
      done = true;
      reader.reset();
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
