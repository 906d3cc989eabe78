from django.shortcuts import render

from tongban.people.selectors import own_person


def home(request):
    """The applicants' front page: what they can do here, and who they are bound as."""
    person = own_person(user=request.user) if request.user.is_authenticated else None
    return render(request, "portal/home.html", {"person": person})
