"""tongban (通办): a one-stop online service hall for household-registration affairs."""
