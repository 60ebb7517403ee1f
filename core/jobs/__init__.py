"""Every command as a job: a request in, a result out, no printing, no click."""
