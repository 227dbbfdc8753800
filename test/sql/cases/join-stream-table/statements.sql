CREATE TABLE users (id STRING PRIMARY KEY, name STRING, region STRING) WITH (KAFKA_TOPIC='users', VALUE_FORMAT='JSON');
CREATE STREAM pageviews (userid STRING KEY, page STRING) WITH (KAFKA_TOPIC='pageviews', VALUE_FORMAT='JSON');
CREATE STREAM enriched AS SELECT pv.userid AS userid, pv.page, u.name, u.region FROM pageviews pv LEFT JOIN users u ON pv.userid = u.id EMIT CHANGES;
