CREATE STREAM s (id INT KEY, name STRING, n INT, price DECIMAL(5, 2), tags ARRAY<STRING>, attrs MAP<STRING, INT>, addr STRUCT<city STRING, zip INT>) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON');
CREATE STREAM out AS SELECT id,
  CASE WHEN n < 0 THEN 'neg' WHEN n = 0 THEN 'zero' ELSE 'pos' END AS sign,
  CAST(n AS STRING) AS n_text,
  name LIKE 'a%' AS starts_a,
  n BETWEEN 1 AND 10 AS small,
  n IN (1, 2, 3) AS tiny,
  price * 2 AS double_price,
  tags[1] AS first_tag,
  attrs['x'] AS x,
  addr->city AS city,
  n / 2 AS half,
  name IS NULL AS no_name,
  n IS DISTINCT FROM NULL AS has_n
FROM s EMIT CHANGES;
