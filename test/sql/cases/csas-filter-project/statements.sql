CREATE STREAM orders (id INT KEY, item STRING, amount DOUBLE, qty INT) WITH (KAFKA_TOPIC='orders', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM big_orders AS SELECT id, UCASE(item) AS item, amount * qty AS total FROM orders WHERE amount * qty > 100 EMIT CHANGES;
