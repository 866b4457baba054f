// Types Vite adds to the browser code: import.meta.env and asset imports such as `?url`.
/// <reference types="vite/client" />
