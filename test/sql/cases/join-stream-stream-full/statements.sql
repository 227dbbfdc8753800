-- FULL OUTER stream-stream join on value columns (both sides repartitioned): the result's key is the
-- synthetic ROWKEY, the first non-null of L.K and R.K (ksqlDB's synthetic join key); L.K and R.K are
-- value columns, NULL on the side that did not match.
CREATE STREAM l (id INT KEY, k INT, a STRING) WITH (KAFKA_TOPIC='l', VALUE_FORMAT='JSON');
CREATE STREAM r (id INT KEY, k INT, b STRING) WITH (KAFKA_TOPIC='r', VALUE_FORMAT='JSON');
CREATE STREAM fj AS SELECT ROWKEY AS k, l.k AS lk, r.k AS rk, l.a, r.b FROM l FULL OUTER JOIN r WITHIN 10 SECONDS GRACE PERIOD 0 SECONDS ON l.k = r.k EMIT CHANGES;
CREATE STREAM fj_all AS SELECT * FROM l FULL OUTER JOIN r WITHIN 10 SECONDS GRACE PERIOD 0 SECONDS ON l.k = r.k EMIT CHANGES;
