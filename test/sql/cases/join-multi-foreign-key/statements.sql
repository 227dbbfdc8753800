CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT, product_id INT) WITH (KAFKA_TOPIC='orders', VALUE_FORMAT='JSON');
CREATE TABLE customers (id INT PRIMARY KEY, name STRING) WITH (KAFKA_TOPIC='customers', VALUE_FORMAT='JSON');
CREATE TABLE products (id INT PRIMARY KEY, title STRING) WITH (KAFKA_TOPIC='products', VALUE_FORMAT='JSON');
CREATE TABLE order_view AS SELECT o.id AS id, c.name, p.title FROM orders o JOIN customers c ON o.customer_id = c.id JOIN products p ON o.product_id = p.id EMIT CHANGES;
