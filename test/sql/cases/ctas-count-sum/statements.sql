CREATE STREAM pageviews (userid STRING KEY, pageid STRING, duration INT) WITH (KAFKA_TOPIC='pageviews', VALUE_FORMAT='JSON');
CREATE TABLE by_page AS SELECT pageid, COUNT(*) AS views, SUM(duration) AS total FROM pageviews GROUP BY pageid EMIT CHANGES;
