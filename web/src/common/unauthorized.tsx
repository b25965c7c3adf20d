/** The page without a valid token: what happened and what to open instead. */
export function Unauthorized(props: { reason: 'missing' | 'refused' }) {
  return (
    <main className="unauthorized" data-state="unauthorized" role="alert">
      <h1>Not authorised (401)</h1>
      <p>
        {props.reason === 'missing'
          ? 'This page was opened without the token the Gaffer server needs.'
          : 'The Gaffer server refused the token this page has: it was restarted, or the address is not the one it printed.'}
      </p>
      <p>
        Open the URL <code>gaffer serve</code> printed — it looks like{' '}
        <code>http://127.0.0.1:4477/?token=…</code>. Run <code>gaffer serve</code> again for a fresh one.
      </p>
    </main>
  );
}
