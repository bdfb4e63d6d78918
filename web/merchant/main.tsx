import { createRoot } from 'react-dom/client';
import '../shared/ui.css';

function App() {
  return <h1>saoma merchant</h1>;
}

createRoot(document.getElementById('root')!).render(<App />);
