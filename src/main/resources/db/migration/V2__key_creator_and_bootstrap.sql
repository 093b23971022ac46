-- Which key created a key (null: created by the gateway itself, or before this column existed), and which
-- keys are the gateway's own bootstrap admin keys, so that configuring a new one can revoke the previous ones.
alter table api_keys add column created_by uuid;
alter table api_keys add column bootstrap boolean default false not null;
update api_keys set bootstrap = true where name = 'bootstrap-admin';
