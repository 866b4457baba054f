// Browser entry point: styles, i18n, then the React root.
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import './app/app.css'
import './app/i18n'
import { App } from './app/App'

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
)
