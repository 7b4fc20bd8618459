/** Entry point of the web UI bundle (scripts/build-web.mjs). */
import { createRoot } from 'react-dom/client';
import { App } from './app.js';

createRoot(document.getElementById('root')!).render(<App />);
