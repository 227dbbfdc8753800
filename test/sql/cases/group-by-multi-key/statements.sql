CREATE STREAM s (id INT KEY, region STRING, kind STRING, amount DECIMAL(6, 2)) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON');
CREATE TABLE t AS SELECT region, kind, SUM(amount) AS total, COUNT(*) AS n FROM s GROUP BY region, kind EMIT CHANGES;
