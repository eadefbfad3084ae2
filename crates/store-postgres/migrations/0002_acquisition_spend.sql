-- What the company paid to win customers, per channel, campaign ('' = not split) and month.
CREATE TABLE acquisition_spend (
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id),
    channel      TEXT NOT NULL,
    campaign     TEXT NOT NULL,
    month        TEXT NOT NULL, -- YYYY-MM
    currency     TEXT NOT NULL,
    amount       DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (workspace_id, channel, campaign, month, currency)
);
