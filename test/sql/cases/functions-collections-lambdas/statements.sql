CREATE STREAM s (id INT KEY, xs ARRAY<INT>, m MAP<STRING, INT>, name STRING) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON');
CREATE STREAM out AS SELECT id,
  TRANSFORM(xs, x => x * 10) AS tens,
  FILTER(xs, x => x > 1) AS big,
  REDUCE(xs, 0, (acc, x) => acc + x) AS total,
  ARRAY_LENGTH(xs) AS len,
  ARRAY_CONTAINS(xs, 2) AS has2,
  ARRAY_DISTINCT(ARRAY[1, 1, 2]) AS distinct_xs,
  MAP_KEYS(m) AS ks,
  CONCAT(UCASE(name), '-', LCASE(name)) AS cased,
  SUBSTRING(name, 2, 2) AS mid,
  LPAD(name, 5, '*') AS padded,
  IFNULL(CAST(NULL AS STRING), 'dflt') AS dflt,
  COALESCE(NULL, NULL, 7) AS seven,
  ABS(-3) AS three,
  ROUND(2.567, 2) AS rounded
FROM s EMIT CHANGES;
