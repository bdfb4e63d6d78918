import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import '../shared/ui.css';
import './merchant.css';
import { App } from './app.js';

createRoot(document.getElementById('root')!).render(
  <BrowserRouter basename="/merchant">
    <App />
  </BrowserRouter>,
);
