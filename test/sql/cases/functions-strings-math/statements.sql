CREATE STREAM s (id INT KEY, txt STRING, n INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON');
CREATE STREAM out AS SELECT id,
  REGEXP_EXTRACT('\d+', txt) AS digits,
  SPLIT('a,b,c', ',') AS parts,
  REPLACE(txt, 'c', 'C') AS replaced,
  INSTR(txt, 'c') AS at_c,
  MASK('Ab1-') AS masked,
  TRIM('  x  ') AS trimmed,
  LEN(txt) AS length,
  GREATEST(1, n, 3) AS biggest,
  SQRT(16.0) AS four,
  CEIL(1.2) AS ceil2,
  FLOOR(-1.2) AS floor_2,
  SIGN(-n) AS sgn,
  NULLIF(n, 5) AS null_if_5
FROM s EMIT CHANGES;
