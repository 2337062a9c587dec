-- sv: Hur mycket ringer det på halvdagar och stängda dagar jämfört med heldagar?
-- en: How many calls come on half days and closed days compared with full days?
select
    day_type,
    count(distinct date) as days,
    sum(calls) as calls,
    round(sum(calls) / count(distinct date), 1) as calls_per_day,
    sum(after_hours) as after_hours
from calls_by_day
group by day_type
order by calls_per_day desc
