-- sv: Hur slutar samtalen, per organisation (andel av alla samtal)?
-- en: How do calls end, per organisation (share of all calls)?
select
    organisation,
    outcome,
    count(*) as calls,
    round(100.0 * count(*) / sum(count(*)) over (partition by organisation), 1) as share_pct
from calls
group by organisation, outcome
order by organisation, calls desc
