-- sv: Svarsfrekvens, servicenivå och väntetid per organisation och månad 2016
-- en: Answer rate, service level and wait per organisation and month, 2016
select organisation, year, month, calls, answer_rate, service_level, avg_wait_s
from calls_by_month_org
where year = 2016
order by organisation, month
