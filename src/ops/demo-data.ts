import Database from 'better-sqlite3';

/**
 * A small, realistic SQLite database for `ferry demo`: a shop with customers, products, orders and their lines,
 * covering the value kinds a migration must carry exactly (decimals, timestamps, JSON, binary, NULL vs empty
 * text, emoji) and one view, which ferry lists as not carried. Deterministic: the same file every time.
 */
export function createDemoDatabase(path: string, customers = 500): void {
  const db = new Database(path);
  try {
    db.exec(`
      CREATE TABLE customer (
        id INTEGER PRIMARY KEY,
        email VARCHAR(120) NOT NULL,
        name TEXT NOT NULL,
        note TEXT,
        signed_up TIMESTAMP NOT NULL,
        CONSTRAINT customer_email_key UNIQUE (email)
      );
      CREATE TABLE product (
        id INTEGER PRIMARY KEY,
        sku VARCHAR(20) NOT NULL,
        title TEXT NOT NULL,
        price DECIMAL(10,2) NOT NULL CHECK (price >= 0),
        attributes JSON_TEXT,
        thumbnail BLOB,
        active BOOLEAN NOT NULL DEFAULT 1
      );
      CREATE TABLE "order" (
        id INTEGER PRIMARY KEY,
        customer_id BIGINT NOT NULL REFERENCES customer (id),
        placed_at TIMESTAMP NOT NULL,
        status VARCHAR(12) NOT NULL DEFAULT 'new'
      );
      CREATE TABLE order_line (
        order_id BIGINT NOT NULL REFERENCES "order" (id),
        line INT NOT NULL,
        product_id BIGINT NOT NULL REFERENCES product (id),
        quantity INT NOT NULL,
        unit_price DECIMAL(10,2) NOT NULL,
        PRIMARY KEY (order_id, line)
      );
      CREATE INDEX order_customer_idx ON "order" (customer_id);
      CREATE VIEW order_total AS
        SELECT order_id, sum(quantity * unit_price) AS total FROM order_line GROUP BY order_id;
    `);
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const day = (n: number) => new Date(Date.UTC(2021, 0, 1) + n * 3_600_000 * 7.3).toISOString().replace('T', ' ').slice(0, 23);
    db.transaction(() => {
      const c = db.prepare('INSERT INTO customer VALUES (?, ?, ?, ?, ?)');
      const names = ['Ada', 'Bruno', 'Chloé', 'Dmitri', 'Eun-ji', 'Farah', 'Gustav', 'Hana', 'Ivo', 'Jun'];
      for (let i = 1; i <= customers; i++) {
        const note = i % 7 === 0 ? '' : i % 5 === 0 ? null : i % 11 === 0 ? 'prefers 📦 pickup' : null;
        c.run(i, `customer${i}@example.org`, `${names[i % names.length]} ${String.fromCharCode(65 + (i % 26))}.`, note, day(i));
      }
      const p = db.prepare('INSERT INTO product VALUES (?, ?, ?, ?, ?, ?, ?)');
      for (let i = 1; i <= 60; i++) {
        const attrs = i % 4 === 0 ? null : JSON.stringify({ colour: ['red', 'green', 'blue'][i % 3], sizes: [i % 3, i % 5] });
        const thumb = i % 3 === 0 ? null : Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, i, 0, 255]);
        p.run(i, `SKU-${1000 + i}`, `Product ${i}`, (Math.round(rand() * 50000) / 100).toFixed(2), attrs, thumb, i % 10 === 0 ? 0 : 1);
      }
      const o = db.prepare('INSERT INTO "order" VALUES (?, ?, ?, ?)');
      const l = db.prepare('INSERT INTO order_line VALUES (?, ?, ?, ?, ?)');
      for (let i = 1; i <= customers * 4; i++) {
        o.run(i, 1 + Math.floor(rand() * customers), day(i * 2), ['new', 'paid', 'shipped', 'returned'][i % 4]);
        const lines = 1 + Math.floor(rand() * 4);
        for (let n = 1; n <= lines; n++) {
          l.run(i, n, 1 + Math.floor(rand() * 60), 1 + Math.floor(rand() * 3), (Math.round(rand() * 50000) / 100).toFixed(2));
        }
      }
    })();
  } finally {
    db.close();
  }
}
