# Gives the plain Debian rootfs the layout of SWE-bench / SWE-Gym instance images, so one eval
# script runs unchanged in both: /testbed as the work dir, and /opt/miniconda3/bin/activate
# (a stand-in: there is no conda here) so `source ... && conda activate testbed` succeeds.
ARG ROOTFS_IMAGE
FROM ${ROOTFS_IMAGE}
COPY conda-activate-shim.sh /opt/miniconda3/bin/activate
RUN ln -sf /usr/bin/python3 /usr/local/bin/python \
 && { [ -e /usr/bin/pytest ] || ln -sf /usr/bin/pytest-3 /usr/local/bin/pytest; } \
 && printf 'source /opt/miniconda3/bin/activate\nconda activate testbed\n' >> /root/.bashrc \
 && git config --system user.email "swe-gym-studio@localhost" \
 && git config --system user.name "SWE-Gym Studio" \
 && mkdir -p /testbed
ENV LANG=C.UTF-8 PYTHONDONTWRITEBYTECODE=1
WORKDIR /testbed
CMD ["/bin/bash"]
