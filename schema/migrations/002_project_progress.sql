-- What the dashboard shows without opening every project's document: the last phase an agent
-- finished and a cover picture (the first final page, else a first scene image).
ALTER TABLE projects ADD COLUMN current_phase text;
ALTER TABLE projects ADD COLUMN cover_asset_id text;
