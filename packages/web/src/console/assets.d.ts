// Vite's `?url` imports: the asset's URL in the build (used to load a stylesheet on demand).
declare module '*?url' {
  const url: string;
  export default url;
}
