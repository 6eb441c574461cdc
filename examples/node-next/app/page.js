export const dynamic = 'force-dynamic';

export default function Home() {
  return (
    <main>
      <h1>node-next example</h1>
      <p>Rendered on the server by Next.js in standalone mode.</p>
      <img src="/logo.svg" alt="logo" width="64" height="64" />
    </main>
  );
}
