"""triage: reads incoming mail of a French local authority and routes it to the right desk."""
