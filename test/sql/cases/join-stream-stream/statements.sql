CREATE STREAM orders (id INT KEY, item STRING) WITH (KAFKA_TOPIC='orders', VALUE_FORMAT='JSON');
CREATE STREAM shipments (id INT KEY, carrier STRING) WITH (KAFKA_TOPIC='shipments', VALUE_FORMAT='JSON');
CREATE STREAM shipped AS SELECT o.id AS id, o.item, s.carrier FROM orders o INNER JOIN shipments s WITHIN 1 HOUR ON o.id = s.id EMIT CHANGES;
