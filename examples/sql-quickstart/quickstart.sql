-- ksqlDB's quickstart, on Brook: users and pageviews, a join, a windowed count, a pull query.
SET 'auto.offset.reset'='earliest';
CREATE TABLE users (userid STRING PRIMARY KEY, name STRING, regionid STRING)
  WITH (KAFKA_TOPIC='users', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM pageviews (userid STRING KEY, pageid STRING, viewtime BIGINT)
  WITH (KAFKA_TOPIC='pageviews', VALUE_FORMAT='JSON', PARTITIONS=1, TIMESTAMP='viewtime');

INSERT INTO users (userid, name, regionid) VALUES ('u1', 'Alice', 'region_1');
INSERT INTO users (userid, name, regionid) VALUES ('u2', 'Bob', 'region_2');
INSERT INTO users (userid, name, regionid) VALUES ('u3', 'Carol', 'region_1');

CREATE STREAM pageviews_enriched AS
  SELECT pv.userid AS userid, pv.pageid, u.name, u.regionid
  FROM pageviews pv LEFT JOIN users u ON pv.userid = u.userid
  EMIT CHANGES;

CREATE TABLE pageviews_per_region AS
  SELECT regionid, COUNT(*) AS views
  FROM pageviews_enriched
  WINDOW TUMBLING (SIZE 1 MINUTE)
  GROUP BY regionid
  EMIT CHANGES;

INSERT INTO pageviews (userid, pageid, viewtime) VALUES ('u1', 'home', 1000);
INSERT INTO pageviews (userid, pageid, viewtime) VALUES ('u2', 'cart', 2000);
INSERT INTO pageviews (userid, pageid, viewtime) VALUES ('u3', 'home', 3000);
INSERT INTO pageviews (userid, pageid, viewtime) VALUES ('u1', 'about', 61000);
