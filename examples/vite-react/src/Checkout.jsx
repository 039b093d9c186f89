import { useMemo, useRef, useState } from 'react';
import { SealpostAddress } from 'sealpost/react';

const ORDER_REF = 'ORD-VITE-1001';

export function Checkout() {
  const form = useRef(null);
  const [ready, setReady] = useState(false);
  const [valid, setValid] = useState(false);
  const [sealed, setSealed] = useState(null);
  const [error, setError] = useState(null);

  // Stable options (a new object would replace the form's options on every render).
  const options = useMemo(
    () => ({
      // Test mode seals to the public test key, with a badge saying so. In production give
      // `couriers` (or `directory` + `platformKey`) instead.
      testMode: true,
      orderRef: ORDER_REF,
      disclose: 'province',
      button: false, // this page's own "Place order" button calls seal()
      // where vite.config.js puts the package's address data
      dataUrl: '/sealpost-data/',
      // Only in the end-to-end build (vite build --mode e2e): an open shadow root lets
      // sealpost/testing type into the form. The default, closed, is what production uses.
      ...(import.meta.env.MODE === 'e2e' ? { shadow: 'open' } : {}),
    }),
    [],
  );

  async function placeOrder() {
    setError(null);
    try {
      // resolves with the same detail as onSealed; rejects (and focuses the field) if invalid
      await form.current.seal();
    } catch (e) {
      setError(e.code);
    }
  }

  return (
    <main>
      <h1>Shipping address</h1>
      <SealpostAddress
        ref={form}
        className="address"
        options={options}
        onReady={() => setReady(true)}
        onChange={setValid}
        onSealed={setSealed}
        onError={(e) => setError(e.code)}
      />
      <button id="place-order" type="button" disabled={!ready} onClick={placeOrder}>
        Place order
      </button>
      <p id="status" data-ready={String(ready)} data-valid={String(valid)}>
        {!ready ? 'Loading the address form…' : valid ? 'Ready to order.' : 'Fill in the address.'}
      </p>
      {error && <p id="error" role="alert">{error}</p>}
      {sealed && (
        <section>
          <h2>What this page sends to the shop's server</h2>
          <p>Order <span id="order-ref">{sealed.orderRef}</span>, sealed address:</p>
          <output id="envelope">{sealed.envelope}</output>
        </section>
      )}
    </main>
  );
}
