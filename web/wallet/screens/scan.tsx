// The scanner: the camera (@zxing/library, see ../camera.tsx), and two fallbacks for when the
// camera is missing or refused: typing or pasting the code's text, and a photo or screenshot of the
// code, decoded here in the browser (the image never leaves the phone). This module is its own chunk.
import { useState, type ChangeEvent, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { useT } from '../../shared/i18n.js';
import { CameraScanner, decodePicture } from '../../shared/scanner.js';
import { ErrorBox, useAction } from '../ui.js';

export default function Scan() {
  const { t } = useT();
  const navigate = useNavigate();
  const [manual, setManual] = useState('');
  const action = useAction();

  const open = (code: string) => {
    const text = code.trim();
    if (text === '') return;
    void navigate('/pay', { state: { code: text } });
  };

  const onManual = (event: FormEvent) => {
    event.preventDefault();
    if (manual.trim() === '') {
      action.setError({ text: { zh: '请输入或粘贴二维码的内容。', en: 'Type or paste the text of the code.' }, detail: undefined, code: 'CODE_EMPTY' });
      return;
    }
    open(manual);
  };

  const onImage = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    void action.run(async () => {
      const text = await decodePicture(file).catch(() => undefined);
      if (text === undefined) throw new Error(t({ zh: '这张图片里没有找到二维码。请换一张更清晰的。', en: 'No QR code was found in this picture. Try a sharper one.' }));
      open(text);
    });
  };

  const cameraError = (reason: string) =>
    reason === 'NotAllowedError'
      ? t({ zh: '没有相机权限。请在浏览器设置中允许，或用下面的方式。', en: 'No camera permission. Allow it in the browser settings, or use the options below.' })
      : reason === 'NotFoundError' || reason === 'unsupported'
        ? t({ zh: '没有可用的相机。请用下面的方式。', en: 'No camera is available. Use the options below.' })
        : t({ zh: `相机打不开（${reason}）。请用下面的方式。`, en: `The camera did not start (${reason}). Use the options below.` });

  return (
    <section className="stack" aria-labelledby="scan-title">
      <h1 id="scan-title">{t({ zh: '扫一扫', en: 'Scan a code' })}</h1>
      <p className="muted">{t({ zh: '把二维码放进框内。付款前会显示收款方的登记名称。', en: "Hold the code in the frame. You will see the payee's registered name before you pay." })}</p>
      <CameraScanner onCode={open} label={t({ zh: '相机取景', en: 'Camera view' })} errorText={cameraError} />
      <ErrorBox error={action.error} />
      <form className="card stack" onSubmit={onManual}>
        <label htmlFor="manual-code">{t({ zh: '手动输入或粘贴二维码内容', en: 'Type or paste the code' })}</label>
        <textarea id="manual-code" data-testid="manual-code" rows={3} spellCheck={false} autoCapitalize="off" value={manual} onChange={(e) => setManual(e.target.value)} />
        <button type="submit" data-testid="manual-submit">
          {t({ zh: '识别', en: 'Check this code' })}
        </button>
      </form>
      <div className="card stack">
        <label htmlFor="upload-image">{t({ zh: '从相册选择二维码图片', en: 'Choose a picture of the code' })}</label>
        <input id="upload-image" data-testid="upload-image" type="file" accept="image/*" onChange={onImage} disabled={action.busy} />
      </div>
    </section>
  );
}
