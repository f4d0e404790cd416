-- Run by the postgres image on its first start, when the data volume is empty (docker-compose.yml mounts this
-- directory at /docker-entrypoint-initdb.d). The vigil-worker's DATABASE_URL names this database: the `demo`
-- connection, and the audit store (no VIGIL_DATABASE_URL is set).
CREATE DATABASE vigil_demo;
