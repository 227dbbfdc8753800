CREATE STREAM orders (id INT KEY, customer_id INT, product_id INT) WITH (KAFKA_TOPIC='orders', VALUE_FORMAT='JSON');
CREATE TABLE customers (id INT PRIMARY KEY, name STRING) WITH (KAFKA_TOPIC='customers', VALUE_FORMAT='JSON');
CREATE TABLE products (id INT PRIMARY KEY, title STRING) WITH (KAFKA_TOPIC='products', VALUE_FORMAT='JSON');
CREATE STREAM full_orders AS SELECT o.product_id AS pid, o.id AS oid, c.name, p.title FROM orders o JOIN customers c ON o.customer_id = c.id JOIN products p ON o.product_id = p.id EMIT CHANGES;
