CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT, item STRING) WITH (KAFKA_TOPIC='orders', VALUE_FORMAT='JSON');
CREATE TABLE customers (id INT PRIMARY KEY, name STRING) WITH (KAFKA_TOPIC='customers', VALUE_FORMAT='JSON');
CREATE TABLE order_names AS SELECT o.id AS id, o.item, c.name FROM orders o JOIN customers c ON o.customer_id = c.id EMIT CHANGES;
