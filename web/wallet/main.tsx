import { createRoot } from 'react-dom/client';
import '../shared/ui.css';
import './wallet.css';
import { App } from './app.js';
import { registerServiceWorker } from './offline.js';

createRoot(document.getElementById('root')!).render(<App />);
registerServiceWorker();
